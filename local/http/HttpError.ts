import { STATUS_CODES, type ServerResponse } from 'node:http';

/**
 * A refusal that carries its HTTP status, a stable code and optional headers; turned into a JSON
 * answer `{"error": message}` in one place, `sendError`.
 */
export class HttpError extends Error {
  readonly code: string;

  constructor(
    readonly status: number,
    message: string,
    readonly headers: Readonly<Record<string, string>> = {},
    code?: string,
  ) {
    super(message);
    this.name = 'HttpError';
    this.code = code ?? (STATUS_CODES[status] ?? 'Error').replace(/[^A-Za-z]/g, '');
  }
}

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

/** The one place errors become responses; anything unexpected is a 500 that exposes nothing. */
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
    sendJson(res, error.status, { error: error.message }, error.headers);
    return;
  }
  log(`unexpected error: ${error instanceof Error ? error.stack : String(error)}`);
  sendJson(res, 500, { error: 'The server had an internal error.' });
}
