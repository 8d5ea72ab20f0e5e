import { createHmac } from 'node:crypto';
import { audienceBase, clientBaseUrl, type SignalRConnectionString } from './ConnectionString';

/**
 * Access tokens of Azure SignalR Service (docs/signalr-service.md, "Tokens"), signed here for
 * everyone who signs one: the functions (REST calls), the local host's bindings, the tests and
 * the benchmark. HS256 JWTs keyed with the UTF-8 bytes of the AccessKey as written; audiences
 * built from Endpoint without its port (Azure/azure-signalr,
 * src/Microsoft.Azure.SignalR.Common/Auth/AuthUtility.cs). The emulator verifies them in
 * local/signalr/verifyToken.ts.
 */

/** The user id claim the SDK and the Functions extension write (Constants.cs, `asrs.s.uid`). */
export const USER_ID_CLAIM = 'asrs.s.uid';
/** SDK default token lifetime, in seconds. */
export const DEFAULT_TOKEN_LIFETIME_SECONDS = 60 * 60;

/** What the signalRConnectionInfo binding hands a negotiate function, and it the browser. */
export interface SignalRConnectionInfo {
  readonly url: string;
  readonly accessToken: string;
}

export interface ClientTokenOptions {
  readonly hub: string;
  readonly userId?: string;
  readonly lifetimeSeconds?: number;
  /** Extra claims (the binding's `claimTypeList`/`idToken`); never override the standard ones. */
  readonly claims?: Readonly<Record<string, string | readonly string[]>>;
}

const HEADER = Buffer.from(JSON.stringify({ alg: 'HS256', typ: 'JWT' })).toString('base64url');

/** An HS256 JWT with `iat`, `nbf` and `exp` set from now. */
export function signToken(
  accessKey: string,
  claims: Readonly<Record<string, unknown>>,
  lifetimeSeconds = DEFAULT_TOKEN_LIFETIME_SECONDS,
  now = Date.now(),
): string {
  const iat = Math.floor(now / 1000);
  const payload = Buffer.from(
    JSON.stringify({ ...claims, iat, nbf: iat, exp: iat + lifetimeSeconds }),
  ).toString('base64url');
  const signature = createHmac('sha256', accessKey)
    .update(`${HEADER}.${payload}`)
    .digest('base64url');
  return `${HEADER}.${payload}.${signature}`;
}

/** The claims of a token, unverified (for a token this app issued itself); undefined if unreadable. */
export function readClaims(token: string): Record<string, unknown> | undefined {
  const payload = token.split('.')[1];
  if (payload === undefined) return undefined;
  try {
    const claims: unknown = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    return typeof claims === 'object' && claims !== null && !Array.isArray(claims)
      ? (claims as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
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

/** A client token, as the signalRConnectionInfo binding issues it. */
export function createClientToken(
  cs: SignalRConnectionString,
  options: ClientTokenOptions,
): string {
  const claims: Record<string, unknown> = {
    ...options.claims,
    aud: clientAudience(cs, options.hub),
  };
  if (options.userId !== undefined && options.userId !== '') claims[USER_ID_CLAIM] = options.userId;
  return signToken(cs.accessKey, claims, options.lifetimeSeconds);
}

/** `{url, accessToken}` for one user of one hub: the negotiate redirect the client follows. */
export function createConnectionInfo(
  cs: SignalRConnectionString,
  options: ClientTokenOptions,
): SignalRConnectionInfo {
  return {
    // The SDK lowercases the hub in the URL, as in the token's audience.
    url: `${clientBaseUrl(cs)}/client/?hub=${options.hub.toLowerCase()}`,
    accessToken: createClientToken(cs, options),
  };
}

/**
 * A REST (server) token for `audience`, the request URL with its query (the Management SDK signs
 * `...?api-version=2022-06-01`, RestApiProvider.cs), the port dropped.
 */
export function createServerToken(
  cs: SignalRConnectionString,
  audience: string,
  lifetimeSeconds = DEFAULT_TOKEN_LIFETIME_SECONDS,
): string {
  return signToken(cs.accessKey, { aud: normalizeAudience(audience, true) }, lifetimeSeconds);
}

/**
 * The user id a client access token was issued for. The token comes from our own binding, so
 * its signature needs no check here; this reads the claim to confirm whom it names.
 */
export function tokenUserId(accessToken: string): string | undefined {
  const userId = readClaims(accessToken)?.[USER_ID_CLAIM];
  return typeof userId === 'string' ? userId : undefined;
}
