import { SignJWT, errors, jwtVerify, type JWTPayload } from 'jose';
import { audienceBase, clientBaseUrl, type SignalRConnectionString } from './ConnectionString';

/**
 * Access tokens of Azure SignalR Service (docs/signalr-service.md, "Tokens"): HS256 JWTs
 * signed with the UTF-8 bytes of the AccessKey as written, audiences built from Endpoint without
 * its port.
 */

/** The user id claim the current SDK and Functions extension emit. */
export const USER_ID_CLAIM = 'asrs.s.uid';
/** Older SDKs put the user id in `nameid`; .NET maps `sub` to the same identity. */
const LEGACY_USER_ID_CLAIMS = ['nameid', 'sub'] as const;
/** SDK default client token lifetime, in seconds. */
export const DEFAULT_TOKEN_LIFETIME_SECONDS = 60 * 60;

export interface ClientTokenOptions {
  readonly hub: string;
  readonly userId?: string;
  readonly lifetimeSeconds?: number;
  /** Extra claims (the binding's `claimTypeList`/`idToken`); never override the standard ones. */
  readonly claims?: Readonly<Record<string, string>>;
}

/** What the signalRConnectionInfo binding and the negotiate function hand the browser. */
export interface ConnectionInfo {
  readonly url: string;
  readonly accessToken: string;
}

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

function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}

/** Drops the port, the query if asked, and a trailing slash, so audiences compare as the service does. */
export function normalizeAudience(audience: string, keepQuery: boolean): string {
  // Parsed by hand: a URL parser would resolve `%2E%2E` segments and change the path signed.
  const match = /^(https?:)\/\/([^/?#]+)([^?#]*)(\?[^#]*)?/i.exec(audience);
  if (match === null) return audience;
  const host = match[2].replace(/:\d+$/, '').toLowerCase();
  const path = match[3].replace(/\/+$/, '');
  const query = keepQuery ? (match[4] ?? '').toLowerCase() : '';
  return `${match[1].toLowerCase()}//${host}${path}${query}`;
}

export function clientAudience(cs: SignalRConnectionString, hub: string): string {
  return `${audienceBase(cs)}/client/?hub=${hub.toLowerCase()}`;
}

async function sign(
  accessKey: string,
  payload: JWTPayload,
  lifetimeSeconds: number,
): Promise<string> {
  const iat = nowSeconds();
  return new SignJWT(payload)
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setIssuedAt(iat)
    .setNotBefore(iat)
    .setExpirationTime(iat + lifetimeSeconds)
    .sign(keyBytes(accessKey));
}

/** A client token, as the signalRConnectionInfo binding issues it. */
export async function createClientToken(
  cs: SignalRConnectionString,
  options: ClientTokenOptions,
): Promise<string> {
  const payload: JWTPayload = { ...options.claims, aud: clientAudience(cs, options.hub) };
  if (options.userId !== undefined && options.userId !== '')
    payload[USER_ID_CLAIM] = options.userId;
  return sign(cs.accessKey, payload, options.lifetimeSeconds ?? DEFAULT_TOKEN_LIFETIME_SECONDS);
}

/** `{url, accessToken}` for one user of one hub: the negotiate redirect the client follows. */
export async function createConnectionInfo(
  cs: SignalRConnectionString,
  options: ClientTokenOptions,
): Promise<ConnectionInfo> {
  return {
    // The SDK lowercases the hub in the URL, as in the token's audience.
    url: `${clientBaseUrl(cs)}/client/?hub=${options.hub.toLowerCase()}`,
    accessToken: await createClientToken(cs, options),
  };
}

/**
 * A REST (server) token for `audience`, the request URL (the port dropped, as audiences are
 * built from Endpoint without it; the service ignores the port either way).
 */
export async function createServerToken(
  cs: SignalRConnectionString,
  audience: string,
  lifetimeSeconds = DEFAULT_TOKEN_LIFETIME_SECONDS,
): Promise<string> {
  // The query stays: the Management SDK signs `...?api-version=2022-06-01` (RestApiProvider.cs).
  return sign(cs.accessKey, { aud: normalizeAudience(audience, true) }, lifetimeSeconds);
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
