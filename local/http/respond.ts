import type { ServerResponse } from 'node:http';
import { HttpError } from '../../lib/HttpError';

/** Writes a JSON body with its length; never cached. */
export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Readonly<Record<string, string>> = {},
): void {
  const payload = JSON.stringify(body);
  res
    .writeHead(status, {
      ...headers,
      'Content-Type': 'application/json; charset=utf-8',
      'Content-Length': String(Buffer.byteLength(payload)),
      'Cache-Control': 'no-store',
    })
    .end(payload);
}

/**
 * The one place the stand-ins turn errors into answers: an HttpError as `{"error", "code"}` with
 * its status and headers; anything unexpected a 500 that exposes nothing, logged with its stack.
 */
export function sendError(
  res: ServerResponse,
  error: unknown,
  log: (message: string) => void,
): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  if (error instanceof HttpError) {
    sendJson(res, error.status, error.toJSON(), error.headers);
    return;
  }
  log(`unexpected error: ${error instanceof Error ? error.stack : String(error)}`);
  sendJson(res, 500, { error: 'The server had an internal error.', code: 'InternalError' });
}
