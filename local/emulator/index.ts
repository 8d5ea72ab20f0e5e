import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { WebSocketServer } from 'ws';
import { closeServer, listen } from '../httpServer';
import { createLogger, type LogLevel } from '../log';
import { listenPort, parseConnectionString } from '../../lib/signalr/ConnectionString';
import { ClientConnection } from './ClientConnection';
import { negotiate, upgrade, type PendingConnection } from './clientEndpoint';
import { httpTransport, type HttpTransportContext } from './httpTransportEndpoint';
import {
  DEFAULT_MAX_BUFFERED_BYTES,
  DEFAULT_MAX_CONNECTIONS,
  DEFAULT_MAX_MESSAGE_BYTES,
  DEFAULT_REPLAY_BUFFER_BYTES,
  KEEP_ALIVE_INTERVAL_MS,
  LONG_POLL_TIMEOUT_MS,
  NEGOTIATE_TTL_MS,
  RECONNECT_WINDOW_MS,
  SWEEP_INTERVAL_MS,
} from './constants';
import type { RegistryStats } from './ConnectionRegistry';
import { HubRegistry } from './HubRegistry';
import { applyCors } from './cors';
import { HttpError } from '../../lib/HttpError';
import { sendError } from '../http/respond';
import { parseRequestTarget } from '../http/requestTarget';
import { PING_FRAME } from '../signalr/hubProtocol';
import { MAX_PENDING_PER_CONNECTION, Upstream } from './Upstream';
import { handleRest } from './restApi';
import { completionFrame, withPort } from './upstreamAnswer';
import type { UpstreamTemplate } from './upstreamTemplates';
import {
  LongPollingTransport,
  ServerSentEventsTransport,
  WebSocketTransport,
  type ClientTransport,
} from './transports';

export interface EmulatorOptions {
  /** The app's AzureSignalRConnectionString; its Port is where the emulator listens. */
  readonly connectionString: string;
  /** Overrides the string's Port; 0 picks a free one. */
  readonly port?: number;
  readonly logLevel?: LogLevel;
  readonly maxConnections?: number;
  /** Largest client frame; a larger one closes the connection with 1009. */
  readonly maxMessageBytes?: number;
  /** How long a long poll waits for data (LONG_POLL_TIMEOUT_MS by default). */
  readonly longPollTimeoutMs?: number;
  /** Unsent bytes past which a client that is not reading is closed. */
  readonly maxBufferedBytes?: number;
  /** Unacknowledged bytes a stateful-reconnect connection may hold (DEFAULT_REPLAY_BUFFER_BYTES). */
  readonly replayBufferBytes?: number;
  /** How long a stateful-reconnect connection waits for its client (RECONNECT_WINDOW_MS). */
  readonly reconnectWindowMs?: number;
  /**
   * Upstream settings: an ordered list of templates (upstreamTemplates.ts), or one URL template
   * (`{hub}`, `{category}`, `{event}`) for every event; none means invocations close.
   */
  readonly upstreamUrlTemplate?: string | readonly UpstreamTemplate[];
}

export interface EmulatorStats extends RegistryStats {
  /** Negotiated connections whose WebSocket has not arrived yet. */
  readonly pending: number;
}

export interface SignalREmulator {
  readonly port: number;
  /** The same connection string with Port set to where the emulator listens. */
  readonly connectionString: string;
  stats(): EmulatorStats;
  /** Sets (or clears) the upstream settings, as the service's upstream settings do. */
  setUpstream(templates: string | readonly UpstreamTemplate[] | undefined): void;
  /** Upstream calls waiting or running for the current upstream. */
  upstreamPending(): number;
  /**
   * Drops every client's socket without a close frame, as a cut network does: a fault for
   * tests of reconnecting clients. Stateful-reconnect connections wait for their client.
   */
  dropSockets(): void;
  /** Closes every client with allowReconnect, then the listeners. Safe to call twice. */
  close(): Promise<void>;
}

/** Starts the local Azure SignalR Service emulator (serverless mode). */
export async function startEmulator(options: EmulatorOptions): Promise<SignalREmulator> {
  const cs = parseConnectionString(options.connectionString);
  const log = createLogger('signalr', options.logLevel);
  const registry = new HubRegistry();
  const pending = new Map<string, PendingConnection>();
  /** connection token → live connection, for the 409 rule. */
  const byToken = new Map<string, ClientConnection>();
  const maxBufferedBytes = options.maxBufferedBytes ?? DEFAULT_MAX_BUFFERED_BYTES;
  const httpTransports = new Map<string, ServerSentEventsTransport | LongPollingTransport>();
  const ctx: HttpTransportContext = {
    cs,
    pending,
    isConnected: (token) => byToken.has(token),
    resumable: (token) => {
      const connection = byToken.get(token);
      return connection?.isResumable === true ? connection : undefined;
    },
    connectionCount: () => byToken.size,
    maxConnections: options.maxConnections ?? DEFAULT_MAX_CONNECTIONS,
    httpTransports,
    attach: (token, entry, transport) => attach(token, entry, transport),
    maxMessageBytes: options.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES,
    pollTimeoutMs: options.longPollTimeoutMs ?? LONG_POLL_TIMEOUT_MS,
  };
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: options.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES,
    perMessageDeflate: false,
  });

  const handleRequest = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    try {
      const url = parseRequestTarget(req.url);
      if (url.pathname === '/client/negotiate' || url.pathname === '/client/negotiate/') {
        if (applyCors(req, res)) return;
        return await negotiate(ctx, req, res, url);
      }
      if (url.pathname === '/client/' || url.pathname === '/client') {
        if (applyCors(req, res)) return;
        return await httpTransport(ctx, req, res, url);
      }
      if (await handleRest({ cs, registry }, req, res, url)) return;
      throw new HttpError(404, 'NotFound', `Nothing at ${url.pathname}.`);
    } catch (error) {
      sendError(res, error, (message) => log.error(message));
    }
  };

  let upstream =
    options.upstreamUrlTemplate === undefined
      ? undefined
      : new Upstream(options.upstreamUrlTemplate, cs.accessKey, log);
  const attach = (token: string, entry: PendingConnection, transport: ClientTransport): void => {
    const upstreamConnection = {
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
    // The upstream this connection started with serves it to the end, even if it is replaced.
    const connectionUpstream = upstream;
    const connection = new ClientConnection(
      entry.connectionId,
      entry.hub.toLowerCase(),
      entry.userId,
      transport,
      {
        maxBufferedBytes,
        // The JavaScript client reconnects a stateful connection over WebSockets only.
        statefulReconnect: entry.statefulReconnect && transport instanceof WebSocketTransport,
        replayBufferBytes: options.replayBufferBytes ?? DEFAULT_REPLAY_BUFFER_BYTES,
        reconnectWindowMs: options.reconnectWindowMs ?? RECONNECT_WINDOW_MS,
      },
      log,
      (connected) => {
        registry.add(connected);
        connectionUpstream?.connected(upstreamConnection);
      },
      (closed) => {
        registry.remove(closed);
        byToken.delete(token);
        connectionUpstream?.disconnected(upstreamConnection);
      },
    );
    if (connectionUpstream !== undefined)
      connection.onInvocation = (message) => {
        const queued = connectionUpstream.invoke(upstreamConnection, message, (answer) => {
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
    byToken.set(token, connection);
    // Whatever state the connection reached (a client may go before its handshake), its token
    // is free once the transport has ended (a long poll's after its last poll was answered),
    // unless the connection waits for its client to come back.
    const connectionOnClose = transport.onClose;
    transport.onClose = (graceful) => {
      connectionOnClose?.(graceful);
      if (connection.isResumable) return;
      byToken.delete(token);
      httpTransports.delete(token);
    };
  };
  const onSocket = (token: string, entry: PendingConnection, ws: import('ws').WebSocket): void => {
    attach(token, entry, new WebSocketTransport(ws));
  };
  const onResume = (token: string, ws: import('ws').WebSocket): void => {
    const connection = byToken.get(token);
    const transport = new WebSocketTransport(ws);
    if (connection === undefined) return transport.close(1011);
    connection.resume(transport);
    // The new socket's end frees the token the same way, unless the connection waits again.
    const connectionOnClose = transport.onClose;
    transport.onClose = (graceful) => {
      connectionOnClose?.(graceful);
      if (connection.isResumable) return;
      if (byToken.get(token) === connection) byToken.delete(token);
    };
  };

  const servers: Server[] = [];
  const makeServer = (): Server => {
    const server = createServer((req, res) => void handleRequest(req, res));
    server.keepAliveTimeout = 60_000;
    server.on('upgrade', (req, socket, head) => {
      socket.on('error', (error) => log.debug(`upgrade socket error: ${error.message}`));
      void upgrade(ctx, wss, req, socket, head, onSocket, onResume);
    });
    servers.push(server);
    return server;
  };

  // `localhost` may resolve to 127.0.0.1 or ::1 depending on the client: answer on both.
  const port = await listen(makeServer(), options.port ?? listenPort(cs), '127.0.0.1');
  try {
    await listen(makeServer(), port, '::1');
  } catch (error) {
    servers.pop();
    log.debug(`not listening on [::1]:${port}: ${(error as Error).message}`);
  }

  const keepAlive = setInterval(() => {
    for (const connection of registry.connections()) connection.send(PING_FRAME, false);
  }, KEEP_ALIVE_INTERVAL_MS);
  const sweeper = setInterval(() => {
    const now = Date.now();
    for (const connection of byToken.values()) connection.sweep(now);
    for (const [token, entry] of pending)
      if (now - entry.negotiatedAt > NEGOTIATE_TTL_MS) pending.delete(token);
    registry.expireUserGroups(now);
  }, SWEEP_INTERVAL_MS);
  keepAlive.unref();
  sweeper.unref();
  log.info(`listening on http://localhost:${port} (client and REST endpoints)`);

  let closing: Promise<void> | undefined;
  return {
    port,
    connectionString: withPort(options.connectionString, port),
    stats: () => ({ ...registry.stats(), pending: pending.size }),
    setUpstream: (urlTemplate) => {
      // Connections that had the old upstream call it no more (a stack shutting down).
      upstream?.close();
      upstream =
        urlTemplate === undefined ? undefined : new Upstream(urlTemplate, cs.accessKey, log);
    },
    upstreamPending: () => upstream?.pending ?? 0,
    dropSockets: () => {
      for (const client of wss.clients) client.terminate();
    },
    close: () =>
      (closing ??= (async () => {
        clearInterval(keepAlive);
        clearInterval(sweeper);
        upstream?.close();
        for (const connection of [...byToken.values()])
          connection.close('The service is shutting down.', true);
        for (const client of wss.clients) client.terminate();
        wss.close();
        await Promise.all(servers.map(closeServer));
        pending.clear();
        log.info('stopped');
      })()),
  };
}
