import { Agent as HttpAgent, request as httpRequest } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { headerBytes } from '../http/headerText';
import {
  UpstreamCategory,
  UpstreamEvent,
  UpstreamHeader,
  UpstreamMessageType,
  upstreamSignature,
} from '../signalr/upstream';
import type { Logger } from '../log';
import { upstreamUrl, type UpstreamTemplate } from './upstreamTemplates';
import { encode } from '@msgpack/msgpack';
import { MESSAGEPACK_PROTOCOL } from './messagePack';

/**
 * Serverless upstream, as the service and its official emulator call it (Azure/azure-signalr,
 * src/Microsoft.Azure.SignalR.Emulator/Upstreams/HttpUpstreamTrigger.cs,
 * HubEmulator/HttpServerlessMessageHandler.cs, HubProxyHandler.cs): a POST to the URL template
 * ({hub}, {category}, {event} filled in) with the X-ASRS-* headers and the serverless protocol
 * body. docs/signalr-service.md, "Upstream".
 *
 * Work is bounded per connection: the official emulator reads a client's next message only once
 * the upstream call for the last one has answered (HubProxyHandler.DispatchMessagesAsync), so a
 * client cannot queue more than one call. Here a connection keeps reading (so it sees the client
 * leave at once) and may have MAX_PENDING_PER_CONNECTION calls waiting; one more closes it. Calls
 * not started when the client leaves are dropped (docs/signalr-service.md, "Upstream").
 */
export interface UpstreamConnection {
  readonly id: string;
  readonly hub: string;
  readonly userId?: string;
  /** `type: value` pairs of the client token's own claims. */
  readonly claims: readonly string[];
  /** The client's query string at negotiate, without the leading `?`. */
  readonly query: string;
  /** The hub protocol the client chose (its invocations go upstream in it). */
  readonly protocol?: string;
}

/** The media type of a MessagePack body upstream (HttpServerlessMessageHandler.cs). */
const MESSAGEPACK_MEDIA_TYPE = 'application/x-msgpack';

/** Most upstream calls in flight at once, over all connections. */
const MAX_IN_FLIGHT = 32;
/** Invocations one connection may have waiting or running; one more closes it (our choice). */
export const MAX_PENDING_PER_CONNECTION = 32;
/** An upstream call unanswered for this long fails (HttpClient's default timeout, 100 s). */
const UPSTREAM_TIMEOUT_MS = 100_000;

export interface UpstreamAnswer {
  readonly status: number;
  readonly body: Buffer;
  /** No template matched: nothing was sent, and nothing is answered to the client. */
  readonly notSent?: true;
}

/** What `post` resolves to when no upstream template matches the event. */
const NOT_SENT: UpstreamAnswer = { status: 0, body: Buffer.alloc(0), notSent: true };

/** One connection's calls, in order; its disconnected never overtakes its connected. */
class ConnectionQueue {
  private readonly waiting: (() => Promise<void>)[] = [];
  private running = false;
  closed = false;

  constructor(private readonly slot: <T>(call: () => Promise<T>) => Promise<T>) {}

  get size(): number {
    return this.waiting.length + (this.running ? 1 : 0);
  }

  /** Queues a call; false (and nothing queued) when the connection already has its most. */
  push(call: () => Promise<void>): boolean {
    if (this.size >= MAX_PENDING_PER_CONNECTION) return false;
    this.waiting.push(call);
    void this.next();
    return true;
  }

  /** Drops calls not yet started, keeping `keep` (the disconnected event) to run last. */
  close(keep: () => Promise<void>): void {
    this.closed = true;
    this.waiting.length = 0;
    this.waiting.push(keep);
    void this.next();
  }

  private async next(): Promise<void> {
    if (this.running) return;
    const call = this.waiting.shift();
    if (call === undefined) return;
    this.running = true;
    try {
      await this.slot(call);
    } finally {
      this.running = false;
      void this.next();
    }
  }
}

export class Upstream {
  private readonly queues = new Map<string, ConnectionQueue>();
  private inFlight = 0;
  private readonly waiting: (() => void)[] = [];
  private readonly agent = new HttpAgent({ keepAlive: true, maxSockets: MAX_IN_FLIGHT });
  private readonly httpsAgent = new HttpsAgent({ keepAlive: true, maxSockets: MAX_IN_FLIGHT });
  /** Closed: every call not yet sent is dropped (the app is going away). */
  private stopped = false;
  private readonly templates: readonly UpstreamTemplate[];

  /** `templates`: the upstream settings in order, or one URL template for every event. */
  constructor(
    templates: string | readonly UpstreamTemplate[],
    private readonly accessKey: string,
    private readonly log: Logger,
  ) {
    this.templates = typeof templates === 'string' ? [{ urlTemplate: templates }] : templates;
  }

  /** Pending calls over all connections, for the tests and the stats. */
  get pending(): number {
    let total = 0;
    for (const queue of this.queues.values()) total += queue.size;
    return total;
  }

  private async slot<T>(call: () => Promise<T>): Promise<T> {
    if (this.inFlight >= MAX_IN_FLIGHT)
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    this.inFlight++;
    try {
      return await call();
    } finally {
      this.inFlight--;
      this.waiting.shift()?.();
    }
  }

  private post(
    connection: UpstreamConnection,
    category: string,
    event: string,
    body: unknown,
  ): Promise<UpstreamAnswer> {
    if (this.stopped) return Promise.reject(new Error('The upstream was closed.'));
    const target = upstreamUrl(this.templates, connection.hub, category, event);
    // No template matches: Azure does not send the event at all (HubProxyHandler.cs).
    if (target === undefined) return Promise.resolve(NOT_SENT);
    // A Buffer, not a string: Node writes the header block together with a string body in the
    // body's encoding (UTF-8), which would encode the header bytes a second time.
    const binary = body instanceof Uint8Array;
    const payload = binary ? Buffer.from(body) : Buffer.from(JSON.stringify(body));
    // Names travel as UTF-8 bytes (local/http/headerText.ts), the encoding the host reads.
    const headers: Record<string, string | number> = {
      'Content-Type': binary ? MESSAGEPACK_MEDIA_TYPE : 'application/json',
      'Content-Length': payload.length,
      [UpstreamHeader.ConnectionId]: connection.id,
      [UpstreamHeader.Hub]: connection.hub,
      [UpstreamHeader.Category]: category,
      [UpstreamHeader.Event]: headerBytes(event),
      [UpstreamHeader.Signature]: upstreamSignature([this.accessKey], connection.id),
    };
    if (connection.userId !== undefined)
      headers[UpstreamHeader.UserId] = headerBytes(connection.userId);
    if (connection.claims.length > 0)
      headers[UpstreamHeader.UserClaims] = headerBytes(connection.claims.join(', '));
    if (connection.query.length > 0) headers[UpstreamHeader.ClientQuery] = connection.query;
    const url = new URL(target);
    const https = url.protocol === 'https:';
    const send = https ? httpsRequest : httpRequest;
    return new Promise<UpstreamAnswer>((resolve, reject) => {
      const req = send(
        url,
        {
          method: 'POST',
          headers,
          agent: https ? this.httpsAgent : this.agent,
          signal: AbortSignal.timeout(UPSTREAM_TIMEOUT_MS),
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('error', reject);
          res.on('end', () => {
            const status = res.statusCode ?? 0;
            // HttpResponseMessageExtensions.CheckResponse: anything but 200 or 204 is logged.
            if (status !== 200 && status !== 204)
              this.log.warn(
                `upstream ${category}/${event} for ${connection.id} answered ${status}`,
              );
            resolve({ status, body: Buffer.concat(chunks) });
          });
        },
      );
      req.on('error', reject);
      req.end(payload);
    });
  }

  private warn(event: string, error: unknown): void {
    if (!this.stopped) this.log.warn(`upstream ${event} failed: ${String(error)}`);
  }

  private queue(connection: UpstreamConnection): ConnectionQueue | undefined {
    return this.queues.get(connection.id);
  }

  /**
   * A connection arrived: `{"type":10}` to category connections, event connected. A failure is
   * logged and the connection stays, as in the official emulator.
   */
  connected(connection: UpstreamConnection): void {
    const queue = new ConnectionQueue((call) => this.slot(call));
    this.queues.set(connection.id, queue);
    queue.push(() =>
      this.post(connection, UpstreamCategory.Connections, UpstreamEvent.Connected, {
        type: UpstreamMessageType.OpenConnection,
      })
        .then(() => undefined)
        .catch((error: unknown) => this.warn('connected', error)),
    );
  }

  /**
   * The connection is gone: calls it had not started are dropped; `{"Type":11,"Error":...}` (the
   * emulator writes these two names in Pascal case) goes after the one in flight, if any.
   */
  disconnected(connection: UpstreamConnection, error?: string): void {
    const queue = this.queue(connection);
    const call = () =>
      this.post(connection, UpstreamCategory.Connections, UpstreamEvent.Disconnected, {
        Type: UpstreamMessageType.CloseConnection,
        ...(error !== undefined && { Error: error }),
      })
        .then(() => undefined)
        .catch((failure: unknown) => this.warn('disconnected', failure))
        .finally(() => {
          if (this.queues.get(connection.id) === queue) this.queues.delete(connection.id);
        });
    if (queue === undefined) void this.slot(call);
    else queue.close(call);
  }

  /**
   * A client's hub invocation to category messages, event = the method name. `answer` gets the
   * upstream's answer (never called if the client left before the call started). False when the
   * connection already has MAX_PENDING_PER_CONNECTION calls: the caller closes it.
   */
  invoke(
    connection: UpstreamConnection,
    message: { invocationId?: string; target: string; arguments: readonly unknown[] },
    answer: (result: UpstreamAnswer | Error) => void,
  ): boolean {
    const queue = this.queue(connection);
    if (queue === undefined || queue.closed) return true;
    // A MessagePack client's invocation goes up in MessagePack, the message as its protocol
    // writes it, without the length prefix (HubProxyHandler.TryGetPayload, BinaryMessageParser;
    // the media type from HttpServerlessMessageHandler.WriteMessageAsync).
    const body =
      connection.protocol === MESSAGEPACK_PROTOCOL
        ? encode([
            UpstreamMessageType.Invocation,
            {},
            message.invocationId ?? null,
            message.target,
            message.arguments,
          ])
        : {
            type: UpstreamMessageType.Invocation,
            ...(message.invocationId !== undefined && { invocationId: message.invocationId }),
            target: message.target,
            arguments: message.arguments,
          };
    return queue.push(() =>
      this.post(connection, UpstreamCategory.Messages, message.target, body).then(
        answer,
        (error: unknown) => answer(error as Error),
      ),
    );
  }

  close(): void {
    this.stopped = true;
    this.agent.destroy();
    this.httpsAgent.destroy();
  }
}
