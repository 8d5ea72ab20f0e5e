import type WebSocket from 'ws';
import type { Logger } from '../log';
import { ClientConnection, type ConnectionLimits } from './ClientConnection';
import type { PendingConnection, ResumableConnection } from './clientEndpoint';
import { NEGOTIATE_TTL_MS } from './constants';
import type { HubRegistry } from './HubRegistry';
import {
  LongPollingTransport,
  ServerSentEventsTransport,
  WebSocketTransport,
  type ClientTransport,
} from './transports';
import { MAX_PENDING_PER_CONNECTION, type Upstream, type UpstreamConnection } from './Upstream';
import { completionFrame } from './upstreamAnswer';

/**
 * The emulator's client connections by connection token (docs/signalr-service.md, "Client
 * endpoint", "Stateful reconnect"): negotiated ones waiting for their transport, live ones
 * (for the 409 rule and stateful reconnect), and the HTTP transports' state.
 */
export class ClientConnections {
  readonly pending = new Map<string, PendingConnection>();
  readonly byToken = new Map<string, ClientConnection>();
  readonly httpTransports = new Map<string, ServerSentEventsTransport | LongPollingTransport>();
  /** Where hub invocations and connection events go; a connection keeps the one it began with. */
  upstream: Upstream | undefined;

  constructor(
    private readonly registry: HubRegistry,
    private readonly limits: Omit<ConnectionLimits, 'statefulReconnect'>,
    private readonly log: Logger,
  ) {}

  /** The connection a token names, when it negotiated stateful reconnect and is still open. */
  resumable(token: string): ResumableConnection | undefined {
    const connection = this.byToken.get(token);
    return connection?.isResumable === true ? connection : undefined;
  }

  /** Makes the connection for a negotiated token over its transport. */
  attach(token: string, entry: PendingConnection, transport: ClientTransport): void {
    const upstream = this.upstream;
    const connection = new ClientConnection(
      entry.connectionId,
      entry.hub.toLowerCase(),
      entry.userId,
      transport,
      // The JavaScript client reconnects a stateful connection over WebSockets only.
      {
        ...this.limits,
        statefulReconnect: entry.statefulReconnect && transport instanceof WebSocketTransport,
      },
      this.log,
      (connected) => {
        this.registry.add(connected);
        upstream?.connected(upstreamConnection);
      },
      (closed) => {
        this.registry.remove(closed);
        this.byToken.delete(token);
        upstream?.disconnected(upstreamConnection);
      },
    );
    const upstreamConnection: UpstreamConnection = {
      id: entry.connectionId,
      hub: entry.hub.toLowerCase(),
      userId: entry.userId,
      claims: entry.claims,
      query: entry.query,
      // Read when an invocation goes up: the handshake has chosen it by then.
      get protocol() {
        return connection.protocol;
      },
    };
    if (upstream !== undefined) forwardInvocations(connection, upstream, upstreamConnection);
    this.byToken.set(token, connection);
    // Whatever state the connection reached (a client may go before its handshake), its token
    // is free once the transport has ended (a long poll's after its last poll was answered),
    // unless the connection waits for its client to come back.
    this.freeOnEnd(token, connection, transport);
  }

  /** The client came back on a new WebSocket (stateful reconnect). */
  resume(token: string, ws: WebSocket): void {
    const connection = this.byToken.get(token);
    const transport = new WebSocketTransport(ws);
    if (connection === undefined) return transport.close(1011);
    connection.resume(transport);
    this.freeOnEnd(token, connection, transport);
  }

  /** Once a second: every connection's timeouts and Acks, and negotiations never used. */
  sweep(now: number): void {
    for (const connection of this.byToken.values()) connection.sweep(now);
    for (const [token, entry] of this.pending)
      if (now - entry.negotiatedAt > NEGOTIATE_TTL_MS) this.pending.delete(token);
  }

  /** Closes every connection, allowing reconnect: the service is shutting down. */
  closeAll(): void {
    for (const connection of [...this.byToken.values()])
      connection.close('The service is shutting down.', true);
    this.pending.clear();
  }

  private freeOnEnd(token: string, connection: ClientConnection, transport: ClientTransport): void {
    const connectionOnClose = transport.onClose;
    transport.onClose = (graceful) => {
      connectionOnClose?.(graceful);
      if (connection.isResumable) return;
      if (this.byToken.get(token) === connection) this.byToken.delete(token);
      this.httpTransports.delete(token);
    };
  }
}

/** Hub invocations go upstream; the answer comes back as the completion (index.ts, upstreamAnswer.ts). */
function forwardInvocations(
  connection: ClientConnection,
  upstream: Upstream,
  upstreamConnection: UpstreamConnection,
): void {
  connection.onInvocation = (message) => {
    const queued = upstream.invoke(upstreamConnection, message, (answer) => {
      if (!(answer instanceof Error) && answer.notSent) return;
      if (message.invocationId === undefined) return;
      const completion = completionFrame(message.invocationId, answer);
      // The app's own completion bytes are in the client's protocol: passed on as they are.
      if (Buffer.isBuffer(completion)) connection.sendAsIs(completion);
      else connection.send(completion);
    });
    if (!queued)
      connection.close(
        `Too many invocations are waiting for the upstream (at most ${MAX_PENDING_PER_CONNECTION}); the connection was closed.`,
      );
  };
}
