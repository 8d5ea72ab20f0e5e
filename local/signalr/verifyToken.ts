import { errors, jwtVerify, type JWTPayload } from 'jose';
import { USER_ID_CLAIM, normalizeAudience } from '../../lib/signalr/tokens';

/**
 * Verifies access tokens as the emulated Azure SignalR Service does (docs/signalr-service.md,
 * "Tokens"): signature, expiry, not-before and audience. Tokens are signed by
 * lib/signalr/tokens.ts; this side only reads them.
 */

/** Older SDKs put the user id in `nameid`; .NET maps `sub` to the same identity. */
const LEGACY_USER_ID_CLAIMS = ['nameid', 'sub'] as const;

/** Why a token was refused; `reason` is stable, the message names what failed. */
export class TokenError extends Error {
  constructor(
    readonly reason:
      'missing' | 'malformed' | 'signature' | 'expired' | 'not-yet-valid' | 'audience',
    message: string,
  ) {
    super(message);
    this.name = 'TokenError';
  }
}

export interface VerifiedToken {
  readonly userId?: string;
  readonly claims: JWTPayload;
}

function keyBytes(accessKey: string): Uint8Array {
  return new TextEncoder().encode(accessKey);
}

/** The user id a token names: `asrs.s.uid`, else `nameid`, else `sub`. */
export function userIdOf(claims: JWTPayload): string | undefined {
  for (const name of [USER_ID_CLAIM, ...LEGACY_USER_ID_CLAIMS]) {
    const value = claims[name];
    if (typeof value === 'string' && value.length > 0) return value;
  }
  return undefined;
}

/**
 * Verifies signature, expiry (`exp` required), not-before and audience. `audiences` are the
 * accepted values, compared after `normalizeAudience`; the token's own audience is compared both
 * with and without its query, since SDKs differ there (docs/signalr-service.md, "Tokens").
 */
export async function verifyToken(
  token: string | undefined,
  accessKey: string,
  audiences: readonly string[],
): Promise<VerifiedToken> {
  if (token === undefined || token.length === 0) {
    throw new TokenError(
      'missing',
      'No access token was sent; send Authorization: Bearer <token>.',
    );
  }
  let claims: JWTPayload;
  try {
    ({ payload: claims } = await jwtVerify(token, keyBytes(accessKey), {
      algorithms: ['HS256'],
      requiredClaims: ['exp'],
    }));
  } catch (error) {
    if (error instanceof errors.JWTExpired)
      throw new TokenError('expired', 'The access token has expired.');
    if (error instanceof errors.JWSSignatureVerificationFailed) {
      throw new TokenError(
        'signature',
        "The access token signature is invalid: it was not signed with this service's AccessKey.",
      );
    }
    if (error instanceof errors.JWTClaimValidationFailed && error.claim === 'nbf') {
      throw new TokenError(
        'not-yet-valid',
        'The access token is not valid yet (nbf is in the future).',
      );
    }
    if (error instanceof errors.JWTClaimValidationFailed && error.claim === 'exp') {
      throw new TokenError('malformed', 'The access token has no exp claim.');
    }
    throw new TokenError('malformed', 'The access token is not a valid HS256 JWT.');
  }
  const accepted = new Set(audiences.map((audience) => normalizeAudience(audience, true)));
  const tokenAudiences =
    claims.aud === undefined ? [] : Array.isArray(claims.aud) ? claims.aud : [claims.aud];
  const matches = tokenAudiences.some(
    (audience) =>
      accepted.has(normalizeAudience(audience, true)) ||
      accepted.has(normalizeAudience(audience, false)),
  );
  if (!matches) {
    throw new TokenError(
      'audience',
      `The access token audience ${JSON.stringify(claims.aud ?? null)} does not match this endpoint.`,
    );
  }
  return { userId: userIdOf(claims), claims };
}
