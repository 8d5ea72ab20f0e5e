import { SignJWT } from 'jose';

/** An HS256 token with any claims, key and lifetime: for tests that forge what the service must refuse. */
export function signToken(
  payload: Record<string, unknown>,
  key: string,
  lifetimeSeconds: number,
): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT(payload)
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setIssuedAt(now)
    .setExpirationTime(now + lifetimeSeconds)
    .sign(new TextEncoder().encode(key));
}
