import type { IncomingMessage, ServerResponse } from 'node:http';
import { sendError } from './respond';

export type RequestHandler = (req: IncomingMessage, res: ServerResponse) => Promise<void> | void;

/**
 * Wraps a handler so no request can stop the server: a throw or rejection of any kind becomes a
 * JSON error answer (4xx for an HttpError, 500 otherwise), and the process goes on.
 */
export function serve(
  handler: RequestHandler,
  log: (message: string) => void,
): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    try {
      const result = handler(req, res);
      if (result !== undefined) result.catch((error: unknown) => sendError(res, error, log));
    } catch (error) {
      sendError(res, error, log);
    }
  };
}
