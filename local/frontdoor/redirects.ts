/**
 * Where sign-in and sign-out may send the browser: a path on the front door itself, or an
 * allowed external redirect URL (App Service's `allowedExternalRedirectUrls`). The target is
 * parsed as the browser will parse it (WHATWG URL: tabs and newlines removed, `\` read as `/`),
 * so `/%09/evil.example` or `/\evil.example` cannot slip past a string check. See
 * docs/security.md, "Redirects".
 */
export interface RedirectPolicy {
  /** The front door's own origins; the first is the base for relative targets. */
  readonly ownOrigins: readonly string[];
  /** Allowed external redirect URLs: a target must be on one's origin, under its path. */
  readonly allowedExternalUrls: readonly string[];
}

function isUnder(url: URL, allowed: string): boolean {
  let base: URL;
  try {
    base = new URL(allowed);
  } catch {
    return false;
  }
  if (base.origin !== url.origin) return false;
  const prefix = base.pathname.endsWith('/') ? base.pathname : `${base.pathname}/`;
  return url.pathname === base.pathname || url.pathname.startsWith(prefix);
}

/**
 * The Location to send for `target`, or undefined when it is not allowed. A path on the front
 * door comes back as a path; an allowed external URL as its serialised form (ASCII only, so no
 * header injection is possible).
 */
export function resolveRedirect(target: string, policy: RedirectPolicy): string | undefined {
  let url: URL;
  try {
    url = new URL(target, policy.ownOrigins[0]);
  } catch {
    return undefined;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return undefined;
  if (url.username !== '' || url.password !== '') return undefined;
  if (policy.ownOrigins.includes(url.origin)) return `${url.pathname}${url.search}${url.hash}`;
  if (policy.allowedExternalUrls.some((allowed) => isUnder(url, allowed))) return url.href;
  return undefined;
}

/** The origin of an allowed external redirect URL, for CSRF checks and form-action. */
export function originOf(url: string): string | undefined {
  try {
    return new URL(url).origin;
  } catch {
    return undefined;
  }
}
