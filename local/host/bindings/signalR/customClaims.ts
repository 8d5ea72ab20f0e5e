import { BindingError } from '../../bindingExpressions';

/**
 * The claims a `signalRConnectionInfo` binding copies from `idToken` into the client token, as the
 * Functions extension picks them and the SignalR SDK writes them (docs/signalr-service.md,
 * "Claims from an ID token"):
 * - only with both `idToken` and a non-empty `claimTypeList`, every claim of the token whose type
 *   is in the list, read without validation (AzureSignalRClient.GetCustomClaims:
 *   `JwtSecurityTokenHandler.ReadJwtToken`; an array claim is one claim per element);
 * - a claim named like one the service keeps for itself gets the prefix `asrs.u.`, which the
 *   service takes off again, and only the first `sub` stays `sub` (AzureSignalRClient.
 *   BuildJwtClaims; Azure/azure-signalr ClaimsUtility.BuildJwtClaims and its SystemClaims).
 */

/** The user claim prefix (Azure/azure-signalr Constants.ClaimType.AzureSignalRUserPrefix). */
export const USER_CLAIM_PREFIX = 'asrs.u.';

/** Claim types the service reserves (ClaimsUtility.SystemClaims, a superset of the extension's). */
const SYSTEM_CLAIMS: ReadonlySet<string> = new Set([
  'aud',
  'exp',
  'iat',
  'nbf',
  'iss',
  'actort',
  'acr',
  'azp',
  'c_hash',
  'jti',
  'nonce',
]);

/** A claim's value as a string, as .NET's Claim holds it (objects as JSON). */
function claimValue(value: unknown): string {
  return typeof value === 'object' && value !== null ? JSON.stringify(value) : String(value);
}

/** The payload of a JWT, not verified; a token that is not one fails the invocation. */
function readJwtPayload(token: string): Record<string, unknown> {
  const parts = token.split('.');
  let payload: unknown;
  try {
    if (parts.length !== 3) throw new Error('not three parts');
    payload = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8'));
  } catch {
    throw new BindingError('The idToken of the signalRConnectionInfo binding is not a JWT.');
  }
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload))
    throw new BindingError('The idToken of the signalRConnectionInfo binding is not a JWT.');
  return payload as Record<string, unknown>;
}

/**
 * The claims to add to the client token: type → value, or values when a type repeats (a JWT
 * payload writes repeated claim types as an array).
 */
export function customClaims(
  idToken: string | undefined,
  claimTypeList: readonly string[] | undefined,
): Record<string, string | string[]> {
  const claims: Record<string, string | string[]> = {};
  if (idToken === undefined || claimTypeList === undefined || claimTypeList.length === 0)
    return claims;
  const wanted = new Set(claimTypeList);
  const add = (type: string, value: string) => {
    const existing = claims[type];
    claims[type] =
      existing === undefined
        ? value
        : [...(Array.isArray(existing) ? existing : [existing]), value];
  };
  let hasSub = false;
  for (const [type, raw] of Object.entries(readJwtPayload(idToken))) {
    if (!wanted.has(type)) continue;
    for (const value of Array.isArray(raw) ? raw : [raw]) {
      if (type === 'sub' && !hasSub) {
        hasSub = true;
        add(type, claimValue(value));
      } else if (type === 'sub' || SYSTEM_CLAIMS.has(type))
        add(USER_CLAIM_PREFIX + type, claimValue(value));
      else add(type, claimValue(value));
    }
  }
  return claims;
}
