import type { ServerResponse } from 'node:http';

/** A refusal that carries its HTTP status, a stable code and optional headers (STYLE habit 5). */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(message);
    this.name = 'HttpError';
  }
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
    res.writeHead(error.status, { 'Content-Type': 'application/json', ...error.headers });
    res.end(JSON.stringify({ error: error.message }));
    return;
  }
  log(`unexpected error: ${error instanceof Error ? error.stack : String(error)}`);
  res.writeHead(500, { 'Content-Type': 'application/json' });
  res.end(JSON.stringify({ error: 'The service had an internal error.' }));
}
