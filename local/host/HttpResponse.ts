import type { ServerResponse } from 'node:http';

/** What a function sets as `context.res` or returns to its http output binding. */
export interface FunctionResponse {
  readonly status?: number;
  readonly statusCode?: number;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: unknown;
}

/**
 * Writes a function's response as the host does: 200 when no status is set; an object body as
 * JSON (with a JSON content type unless one is set); nothing at all is an empty 200.
 */
export function writeFunctionResponse(
  res: ServerResponse,
  response: FunctionResponse | undefined,
): void {
  const status = response?.status ?? response?.statusCode ?? 200;
  const headers: Record<string, string> = { ...(response?.headers ?? {}) };
  const body = response?.body;
  let payload: Buffer;
  if (body === undefined || body === null) payload = Buffer.alloc(0);
  else if (Buffer.isBuffer(body)) payload = body;
  else if (typeof body === 'string') payload = Buffer.from(body);
  else {
    payload = Buffer.from(JSON.stringify(body));
    if (!Object.keys(headers).some((name) => name.toLowerCase() === 'content-type'))
      headers['Content-Type'] = 'application/json; charset=utf-8';
  }
  headers['Content-Length'] = String(payload.length);
  res.writeHead(status, headers).end(payload);
}
