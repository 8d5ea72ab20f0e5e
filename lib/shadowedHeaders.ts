import type { HttpRequest } from '@azure/functions';

/**
 * Where a request would shadow the real headers in a `{headers.…}` binding expression. Azure
 * builds an HTTP trigger's binding data from the JSON body's top-level properties first, then
 * the query, then route values, and adds the real `headers` only when no key of that name
 * (case-insensitive) exists yet (docs/functions-host.md, "Binding data"). So a body
 * `{"headers": {"x-ms-client-principal-name": "bob"}}` would make the signalRConnectionInfo
 * binding issue a token for bob. Returns where the shadow is, or undefined.
 */
export function shadowedHeaders(req: HttpRequest): 'body' | 'query' | 'route' | undefined {
  const isHeaders = (key: string) => key.toLowerCase() === 'headers';
  if (Object.keys(req.query ?? {}).some(isHeaders)) return 'query';
  if (Object.keys(req.params ?? {}).some(isHeaders)) return 'route';
  const raw = typeof req.rawBody === 'string' ? req.rawBody : '';
  if (raw.trim().length === 0) return undefined;
  try {
    const body: unknown = JSON.parse(raw);
    if (typeof body === 'object' && body !== null && Object.keys(body).some(isHeaders))
      return 'body';
  } catch {
    // Not JSON: Azure adds no binding data from it.
  }
  return undefined;
}
