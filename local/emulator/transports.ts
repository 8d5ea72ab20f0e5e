import type { ServerResponse } from 'node:http';
import type WebSocket from 'ws';

/**
 * The three transports a client connection can run over (dotnet/aspnetcore,
 * src/SignalR/docs/specs/TransportProtocols.md; docs/signalr-service.md, "Transports"): one
 * interface, so a ClientConnection speaks the hub protocol the same way over each.
 */
export enum TransportKind {
  WebSockets = 'WebSockets',
  ServerSentEvents = 'ServerSentEvents',
  LongPolling = 'LongPolling',
}

export interface ClientTransport {
  readonly kind: TransportKind;
  /** Frames from the client (a WebSocket message, or an HTTP POST's body). */
  onMessage?: (data: Buffer, isBinary: boolean) => void;
  /**
   * The transport has ended: the client went away, or (long polling) took its last poll.
   * `graceful` is false when a WebSocket dropped without a close frame (a cut network), the one
   * end a stateful-reconnect client comes back from.
   */
  onClose?: (graceful?: boolean) => void;
  /** A transport error (a frame over the size limit, a reset): the close that follows ends it. */
  onError?: (error: Error) => void;
  /** Writes one frame (serialised once by the caller, for every target); binary for MessagePack. */
  send(frame: string | Buffer, binary?: boolean): void;
  /** Bytes written but not yet taken by the client. */
  bufferedBytes(): number;
  /** Ends the transport after what was sent; `code` is the WebSocket close code. Safe twice. */
  close(code?: number): void;
  /** Ends it at once. Safe twice. */
  terminate(): void;
}

const TEXT_FRAME = { binary: false } as const;
const BINARY_FRAME = { binary: true } as const;

export class WebSocketTransport implements ClientTransport {
  readonly kind = TransportKind.WebSockets;
  onMessage?: (data: Buffer, isBinary: boolean) => void;
  onClose?: (graceful?: boolean) => void;
  onError?: (error: Error) => void;

  constructor(private readonly socket: WebSocket) {
    // ws hands a Buffer (its default binary type); fragments or an ArrayBuffer only if set so.
    socket.on('message', (data, isBinary) =>
      this.onMessage?.(
        Buffer.isBuffer(data)
          ? data
          : Array.isArray(data)
            ? Buffer.concat(data)
            : Buffer.from(data),
        isBinary,
      ),
    );
    // 1006: the socket closed with no close frame received (RFC 6455 §7.1.5).
    socket.on('close', (code) => this.onClose?.(code !== 1006));
    // A listener is needed: an unhandled 'error' would stop the process.
    socket.on('error', (error) => this.onError?.(error));
  }

  send(frame: string | Buffer, binary = false): void {
    this.socket.send(frame, binary ? BINARY_FRAME : TEXT_FRAME);
  }

  bufferedBytes(): number {
    return this.socket.bufferedAmount;
  }

  close(code = 1000): void {
    this.socket.close(code);
  }

  terminate(): void {
    this.socket.terminate();
  }
}

/**
 * Server-Sent Events: one long response, each frame one unnamed event whose `data` lines are the
 * frame's lines (TransportProtocols.md, "Server-Sent Events"; the SSE format: a line that starts
 * `data: `, the event ended by a blank line). Frames from the client arrive by HTTP POST.
 */
export class ServerSentEventsTransport implements ClientTransport {
  readonly kind = TransportKind.ServerSentEvents;
  /** Whether the stream has ended. */
  get isEnded(): boolean {
    return this.ended;
  }
  onMessage?: (data: Buffer, isBinary: boolean) => void;
  onClose?: () => void;
  private ended = false;

  constructor(private readonly res: ServerResponse) {
    res.writeHead(200, {
      'Content-Type': 'text/event-stream',
      'Cache-Control': 'no-cache',
      'X-Accel-Buffering': 'no',
    });
    // The first bytes tell the client the stream is open (ASP.NET Core's transport writes an
    // empty line, `ServerSentEventsServerTransport.ProcessRequestAsync`).
    res.write('\r\n');
    res.on('close', () => {
      this.ended = true;
      this.onClose?.();
    });
  }

  send(frame: string | Buffer): void {
    if (this.ended) return;
    this.res.write(
      `${frame
        .toString()
        .split(/\r\n|\r|\n/)
        .map((line) => `data: ${line}`)
        .join('\r\n')}\r\n\r\n`,
    );
  }

  bufferedBytes(): number {
    return this.res.writableLength;
  }

  close(): void {
    if (this.ended) return;
    this.ended = true;
    this.res.end();
  }

  terminate(): void {
    if (!this.res.destroyed) this.res.destroy();
    this.ended = true;
  }
}

/**
 * Long Polling: frames wait in a queue until the client's next GET takes them all; a poll with
 * nothing to take waits up to `pollTimeoutMs`, then answers 200 with nothing. A new poll while one
 * waits ends the old one with 204; a closed connection's waiting poll ends with 204 once what was
 * queued has been taken (TransportProtocols.md, "Long Polling").
 */
export class LongPollingTransport implements ClientTransport {
  readonly kind = TransportKind.LongPolling;
  onMessage?: (data: Buffer, isBinary: boolean) => void;
  onClose?: () => void;
  private queue: Array<string | Buffer> = [];
  private queuedBytes = 0;
  private poll?: { res: ServerResponse; timer: NodeJS.Timeout };
  private closing = false;
  private ended = false;

  constructor(private readonly pollTimeoutMs: number) {}

  /** Whether the connection has ended: polls for it get 404 from now on. */
  get isEnded(): boolean {
    return this.ended;
  }

  /** A GET from the client: answered now with what is queued, or later. */
  takePoll(res: ServerResponse): void {
    this.endPoll(204);
    if (this.queue.length > 0) return this.answer(res);
    if (this.closing) return this.finish(res);
    const timer = setTimeout(() => {
      if (this.poll?.res !== res) return;
      this.poll = undefined;
      res.writeHead(200, { 'Content-Length': '0' }).end();
    }, this.pollTimeoutMs);
    this.poll = { res, timer };
    res.on('close', () => {
      if (this.poll?.res !== res) return;
      clearTimeout(timer);
      this.poll = undefined;
    });
  }

  send(frame: string | Buffer): void {
    if (this.closing || this.ended) return;
    this.queue.push(frame);
    this.queuedBytes += typeof frame === 'string' ? Buffer.byteLength(frame) : frame.length;
    const waiting = this.poll;
    if (waiting === undefined) return;
    clearTimeout(waiting.timer);
    this.poll = undefined;
    this.answer(waiting.res);
  }

  bufferedBytes(): number {
    return this.queuedBytes;
  }

  close(): void {
    if (this.closing) return;
    this.closing = true;
    // A client that never polls again is let go after one more poll's time.
    setTimeout(() => this.terminate(), this.pollTimeoutMs).unref();
    if (this.queue.length === 0 && this.poll !== undefined) {
      const { res, timer } = this.poll;
      clearTimeout(timer);
      this.poll = undefined;
      this.finish(res);
    }
  }

  terminate(): void {
    this.queue = [];
    this.queuedBytes = 0;
    this.closing = true;
    this.endPoll(204);
    this.markEnded();
  }

  private answer(res: ServerResponse): void {
    const body = Buffer.concat(
      this.queue.map((frame) => (typeof frame === 'string' ? Buffer.from(frame) : frame)),
    );
    this.queue = [];
    this.queuedBytes = 0;
    res.writeHead(200, {
      'Content-Type': 'application/octet-stream',
      'Content-Length': String(body.length),
    });
    res.end(body);
  }

  private finish(res: ServerResponse): void {
    res.writeHead(204).end();
    this.markEnded();
  }

  private endPoll(status: number): void {
    const waiting = this.poll;
    if (waiting === undefined) return;
    clearTimeout(waiting.timer);
    this.poll = undefined;
    waiting.res.writeHead(status).end();
  }

  private markEnded(): void {
    if (this.ended) return;
    this.ended = true;
    this.onClose?.();
  }
}
