import type { IncomingMessage } from 'node:http';
import { originOf } from './redirects';

/**
 * App Service Authentication's cross-site request forgery mitigation (Microsoft Learn, "App
 * Service authentication overview", section "Cross-site request forgery mitigation"). A request
 * is refused when all of these hold:
 * - it is a POST authenticated with the session cookie (the caller checks that),
 * - it comes from a known browser (by User-Agent),
 * - its Origin, or Referer when there is no Origin, is missing or not an allowed external
 *   redirect URL (nor the app's own origin),
 * - its Origin is missing or not an allowed CORS origin.
 */
export interface CsrfPolicy {
  readonly ownOrigins: readonly string[];
  readonly allowedExternalUrls: readonly string[];
  readonly corsOrigins: readonly string[];
}

/** Every browser in use sends a User-Agent starting with `Mozilla/`. */
const BROWSER_USER_AGENT = /^Mozilla\//;

export function isKnownBrowser(req: IncomingMessage): boolean {
  return BROWSER_USER_AGENT.test(req.headers['user-agent'] ?? '');
}

/** The origin the request says it comes from: Origin, else Referer's origin. */
export function requestOrigin(req: IncomingMessage): string | undefined {
  const origin = req.headers.origin;
  if (origin !== undefined) return origin;
  const referer = req.headers.referer;
  return referer === undefined ? undefined : originOf(referer);
}

export function isForgedRequest(req: IncomingMessage, policy: CsrfPolicy): boolean {
  if (req.method !== 'POST' || !isKnownBrowser(req)) return false;
  const from = requestOrigin(req);
  const redirectOrigins = [
    ...policy.ownOrigins,
    ...policy.allowedExternalUrls.map(originOf).filter((origin) => origin !== undefined),
  ];
  const notRedirectAllowed = from === undefined || !redirectOrigins.includes(from);
  const origin = req.headers.origin;
  const notCorsAllowed =
    origin === undefined ||
    !(policy.ownOrigins.includes(origin) || policy.corsOrigins.includes(origin));
  return notRedirectAllowed && notCorsAllowed;
}
