import { request, type Agent, type IncomingMessage, type ServerResponse } from 'node:http';
import { HttpError } from '../../lib/HttpError';
import type { Logger } from '../log';
import { sendError, sendJson } from '../http/respond';

/** Azure's front end closes a request the app has not answered in 230 s. */
const UPSTREAM_TIMEOUT_MS = 230_000;

export interface ForwardOptions {
  /** Base URL of the functions host. */
  readonly target: string;
  readonly agent: Agent;
  readonly headers: Record<string, string | string[]>;
  /** The body, already read; or, to stream it, the most bytes it may have. */
  readonly body: Buffer | { readonly streamLimit: number };
  readonly log: Logger;
}

/**
 * Passes a request on to the functions host and its answer back. A body that was read is sent
 * whole; a streamed one (the excluded webhook path, whose callers are not signed in) goes through
 * as it arrives, never more than its limit in flight: past the limit the call is cut and the
 * caller gets 413, so anonymous callers cannot make the front door hold their bodies.
 */
export function forward(
  req: IncomingMessage,
  res: ServerResponse,
  options: ForwardOptions,
): Promise<void> {
  const { body, log } = options;
  const streamLimit = Buffer.isBuffer(body) ? undefined : body.streamLimit;
  const headers = { ...options.headers };
  if (Buffer.isBuffer(body) && (body.length > 0 || headers['content-length'] !== undefined))
    headers['content-length'] = String(body.length);
  return new Promise<void>((resolve) => {
    const upstream = request(
      `${options.target}${req.url ?? '/'}`,
      { method: req.method, headers, agent: options.agent, timeout: UPSTREAM_TIMEOUT_MS },
      (proxied) => {
        // The host answered before the streamed body ended (a webhook call without its key):
        // stop passing the body on and close the connection after the answer. Kept open, the
        // unread rest of the body would stand in front of the client's next request on it.
        const answerHeaders = { ...proxied.headers };
        if (streamLimit !== undefined && !req.complete) {
          answeredEarly = true;
          upstream.end();
          req.resume();
          delete answerHeaders['keep-alive'];
          answerHeaders.connection = 'close';
        }
        res.writeHead(proxied.statusCode ?? 502, answerHeaders);
        proxied.pipe(res);
        proxied.on('end', resolve);
        proxied.on('error', () => resolve());
      },
    );
    let abandoned: string | undefined;
    let answeredEarly = false;
    // The client went away, or sent too much: stop the work it asked for.
    const abandon = (refusal?: HttpError) => {
      if (abandoned !== undefined) return;
      abandoned =
        refusal === undefined
          ? 'the client left before the functions host answered.'
          : 'a body over its limit was cut off.';
      upstream.destroy();
      if (refusal !== undefined) {
        sendError(res, refusal, (message) => log.error(message));
        req.resume();
      }
      resolve();
    };
    res.on('close', () => {
      if (!res.writableFinished) abandon();
      resolve();
    });
    upstream.on('timeout', () => upstream.destroy(new Error('no answer within 230 s')));
    upstream.on('error', (error) => {
      // Our own destroy(): nothing failed but the client's patience, or its body's size.
      if (abandoned !== undefined) return log.debug(`front door: ${abandoned}`);
      log.error(`front door: the functions host failed: ${error.message}`);
      if (!res.headersSent)
        sendJson(res, 502, { error: 'The functions host is not reachable.', code: 'BadGateway' });
      else res.destroy();
      resolve();
    });
    if (streamLimit === undefined) {
      upstream.end(body as Buffer);
      return;
    }
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      if (answeredEarly) return;
      size += chunk.length;
      if (size > streamLimit)
        return abandon(
          new HttpError(413, 'BodyTooLarge', `The request body is over ${streamLimit} bytes.`, {
            headers: { Connection: 'close' },
          }),
        );
      // Backpressure: read no faster than the host takes it.
      if (!upstream.write(chunk)) {
        req.pause();
        upstream.once('drain', () => req.resume());
      }
    });
    req.on('end', () => {
      if (!answeredEarly) upstream.end();
    });
    req.on('error', () => abandon());
  });
}
