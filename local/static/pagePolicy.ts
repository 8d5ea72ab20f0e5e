/**
 * The chat page's Content-Security-Policy: scripts only from the page's own origin (no inline
 * script, no eval: Vue's templates are compiled at build time), network only to the API and the
 * SignalR Service, never framed. docs/security.md, "The page".
 */
export function pagePolicy(connectOrigins: readonly string[]): string {
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    connectDirective(connectOrigins),
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/** `connect-src` for these http origins and their WebSocket twins (ws: is matched on its own). */
export function connectDirective(origins: readonly string[]): string {
  const connect = new Set<string>();
  for (const origin of origins) {
    connect.add(origin);
    connect.add(origin.replace(/^http/, 'ws'));
  }
  return `connect-src 'self' ${[...connect].join(' ')}`;
}
