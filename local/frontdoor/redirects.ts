/**
 * Where sign-in and sign-out may send the browser back to: a path on the front door itself, or
 * an allowed origin (the CORS list, App Service's "allowed external redirect URLs"). Anything
 * else is an open redirect and is refused (spec functions-v3-and-easyauth.md §6).
 */
export function isAllowedRedirect(target: string, allowedOrigins: readonly string[]): boolean {
  if (target.startsWith('/')) return !target.startsWith('//') && !target.startsWith('/\\');
  let url: URL;
  try {
    url = new URL(target);
  } catch {
    return false;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return false;
  return allowedOrigins.includes(url.origin);
}
