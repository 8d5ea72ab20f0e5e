import type { IncomingMessage } from 'node:http';

/** App Service Authentication's session cookie (docs/app-service-auth.md). */
export const SESSION_COOKIE = 'AppServiceAuthSession';

/** The sealed session the request's cookie carries, if any. */
export function sessionIdOf(req: IncomingMessage): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const [name, ...value] = part.trim().split('=');
    if (name === SESSION_COOKIE) return value.join('=');
  }
  return undefined;
}

/**
 * `Set-Cookie` for a sealed session, or to clear it (`sessionId` empty, `maxAgeSeconds` 0).
 * SameSite=None: in Azure the page and the API are on different sites (docs/security.md).
 */
export function sessionCookie(sessionId: string, maxAgeSeconds: number): string {
  return `${SESSION_COOKIE}=${sessionId}; Path=/; HttpOnly; Secure; SameSite=None; Max-Age=${maxAgeSeconds}`;
}
