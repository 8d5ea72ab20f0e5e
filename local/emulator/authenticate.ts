import type { IncomingMessage } from 'node:http';
import { HttpError } from '../../lib/HttpError';
import { TokenError, verifyToken, type VerifiedToken } from '../signalr/verifyToken';

/** The bearer token of a request: the Authorization header, else (client endpoints) `access_token`. */
export function bearerToken(req: IncomingMessage, url?: URL): string | undefined {
  const header = req.headers.authorization;
  if (header !== undefined && /^Bearer /i.test(header)) return header.slice(7).trim();
  return url?.searchParams.get('access_token') ?? undefined;
}

/**
 * Verifies a token for one of `audiences`; a refusal is a 401 naming what failed, with the
 * `WWW-Authenticate` challenge the service sends (docs/signalr-service.md, "Tokens").
 */
export async function authenticate(
  token: string | undefined,
  accessKey: string,
  audiences: readonly string[],
): Promise<VerifiedToken> {
  try {
    return await verifyToken(token, accessKey, audiences);
  } catch (error) {
    if (!(error instanceof TokenError)) throw error;
    throw new HttpError(401, 'InvalidToken', error.message, {
      headers: {
        'WWW-Authenticate': `Bearer error="invalid_token", error_description="${error.message.replace(/"/g, "'")}"`,
      },
    });
  }
}
