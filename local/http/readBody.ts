import type { IncomingMessage } from 'node:http';
import { HttpError } from '../../lib/HttpError';

export interface ReadBodyOptions {
  /** Largest body accepted, in bytes: 413 as soon as it is passed, before reading the rest. */
  readonly limit: number;
  /** The whole body must arrive within this; 408 otherwise. */
  readonly timeoutMs?: number;
}

const CLOSE = { Connection: 'close' };

/**
 * Reads a request body into memory, never more than `limit` bytes: a declared Content-Length
 * over the limit is refused before a byte is read, a streamed one as soon as it passes. Refusals
 * close the connection, so the rest of an oversized or stalled body is never read.
 */
export function readBody(req: IncomingMessage, options: ReadBodyOptions): Promise<Buffer> {
  const { limit, timeoutMs } = options;
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > limit)
    return Promise.reject(
      new HttpError(
        413,
        'BodyTooLarge',
        `The request body is ${declared} bytes; at most ${limit} are allowed.`,
        { headers: CLOSE },
      ),
    );
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let timer: NodeJS.Timeout | undefined;
    const finish = (error?: Error): void => {
      clearTimeout(timer);
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      if (error === undefined) resolve(Buffer.concat(chunks));
      else {
        req.pause();
        reject(error);
      }
    };
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > limit)
        finish(
          new HttpError(413, 'BodyTooLarge', `The request body is over ${limit} bytes.`, {
            headers: CLOSE,
          }),
        );
      else chunks.push(chunk);
    };
    const onEnd = (): void => finish();
    const onError = (error: Error): void => finish(error);
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
    if (timeoutMs !== undefined) {
      timer = setTimeout(
        () =>
          finish(
            new HttpError(
              408,
              'BodyTimeout',
              `The request body did not arrive within ${timeoutMs / 1000} s; send it at once.`,
              { headers: CLOSE },
            ),
          ),
        timeoutMs,
      );
      timer.unref();
    }
  });
}
