import type { IncomingMessage, ServerResponse } from 'node:http';

export interface CorsPolicy {
  /** Origins allowed; `'*'` for any (never with credentials). */
  readonly origins: readonly string[] | '*';
  readonly credentials: boolean;
  readonly methods?: string;
}

/**
 * CORS for every server of the stack: an allowed origin is echoed (with credentials when set),
 * preflights are answered. Returns true when the request was a preflight and has been answered.
 */
export function applyCors(req: IncomingMessage, res: ServerResponse, policy: CorsPolicy): boolean {
  const origin = req.headers.origin;
  const allowed =
    origin !== undefined && (policy.origins === '*' || policy.origins.includes(origin));
  if (allowed) {
    res.setHeader('Access-Control-Allow-Origin', origin);
    if (policy.credentials) res.setHeader('Access-Control-Allow-Credentials', 'true');
  }
  res.setHeader('Vary', 'Origin');
  if (req.method !== 'OPTIONS' || req.headers['access-control-request-method'] === undefined)
    return false;
  if (allowed) {
    res.setHeader(
      'Access-Control-Allow-Methods',
      policy.methods ?? String(req.headers['access-control-request-method']),
    );
    const headers = req.headers['access-control-request-headers'];
    if (headers !== undefined) res.setHeader('Access-Control-Allow-Headers', headers);
    res.setHeader('Access-Control-Max-Age', '600');
  }
  res.writeHead(204).end();
  return true;
}
