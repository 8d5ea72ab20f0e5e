import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { WebSocketServer } from 'ws';
import { closeServer, listen } from '../httpServer';
import type { Duplex } from 'node:stream';
import { createLogger, type LogLevel, type Logger } from '../log';
import { listenPort, parseConnectionString } from '../../lib/signalr/ConnectionString';
import { ClientConnections } from './ClientConnections';
import { negotiate, upgrade } from './clientEndpoint';
import { httpTransport, type HttpTransportContext } from './httpTransportEndpoint';
import {
  DEFAULT_MAX_BUFFERED_BYTES,
  DEFAULT_MAX_CONNECTIONS,
  DEFAULT_MAX_MESSAGE_BYTES,
  DEFAULT_REPLAY_BUFFER_BYTES,
  KEEP_ALIVE_INTERVAL_MS,
  LONG_POLL_TIMEOUT_MS,
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
import { Upstream } from './Upstream';
import { handleRest } from './restApi';
import { withPort } from './upstreamAnswer';
import type { UpstreamTemplate } from './upstreamTemplates';
import { WebSocketTransport } from './transports';

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
  const connections = new ClientConnections(
    registry,
    {
      maxBufferedBytes: options.maxBufferedBytes ?? DEFAULT_MAX_BUFFERED_BYTES,
      replayBufferBytes: options.replayBufferBytes ?? DEFAULT_REPLAY_BUFFER_BYTES,
      reconnectWindowMs: options.reconnectWindowMs ?? RECONNECT_WINDOW_MS,
    },
    log,
  );
  const upstreamOf = (templates: EmulatorOptions['upstreamUrlTemplate']) =>
    templates === undefined ? undefined : new Upstream(templates, cs.accessKey, log);
  connections.upstream = upstreamOf(options.upstreamUrlTemplate);
  const ctx: HttpTransportContext = {
    cs,
    pending: connections.pending,
    isConnected: (token) => connections.byToken.has(token),
    resumable: (token) => connections.resumable(token),
    connectionCount: () => connections.byToken.size,
    maxConnections: options.maxConnections ?? DEFAULT_MAX_CONNECTIONS,
    httpTransports: connections.httpTransports,
    attach: (token, entry, transport) => connections.attach(token, entry, transport),
    maxMessageBytes: options.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES,
    pollTimeoutMs: options.longPollTimeoutMs ?? LONG_POLL_TIMEOUT_MS,
  };
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: ctx.maxMessageBytes,
    perMessageDeflate: false,
  });
  const { port, servers } = await listenOnBoth(
    options.port ?? listenPort(cs),
    requestHandler(ctx, registry, log),
    (req, socket, head) =>
      void upgrade(
        ctx,
        wss,
        req,
        socket,
        head,
        (token, entry, ws) => connections.attach(token, entry, new WebSocketTransport(ws)),
        (token, ws) => connections.resume(token, ws),
      ),
    log,
  );
  const keepAlive = setInterval(() => {
    for (const connection of registry.connections()) connection.send(PING_FRAME, false);
  }, KEEP_ALIVE_INTERVAL_MS);
  const sweeper = setInterval(() => {
    const now = Date.now();
    connections.sweep(now);
    registry.expireUserGroups(now);
  }, SWEEP_INTERVAL_MS);
  keepAlive.unref();
  sweeper.unref();
  log.info(`listening on http://localhost:${port} (client and REST endpoints)`);

  let closing: Promise<void> | undefined;
  return {
    port,
    connectionString: withPort(options.connectionString, port),
    stats: () => ({ ...registry.stats(), pending: connections.pending.size }),
    setUpstream: (templates) => {
      // Connections that had the old upstream call it no more (a stack shutting down).
      connections.upstream?.close();
      connections.upstream = upstreamOf(templates);
    },
    upstreamPending: () => connections.upstream?.pending ?? 0,
    dropSockets: () => {
      for (const client of wss.clients) client.terminate();
    },
    close: () =>
      (closing ??= (async () => {
        clearInterval(keepAlive);
        clearInterval(sweeper);
        connections.upstream?.close();
        connections.closeAll();
        for (const client of wss.clients) client.terminate();
        wss.close();
        await Promise.all(servers.map(closeServer));
        log.info('stopped');
      })()),
  };
}

/** Negotiate, the HTTP transports and the REST API; anything else 404. */
function requestHandler(ctx: HttpTransportContext, registry: HubRegistry, log: Logger) {
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
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
      if (await handleRest({ cs: ctx.cs, registry }, req, res, url)) return;
      throw new HttpError(404, 'NotFound', `Nothing at ${url.pathname}.`);
    } catch (error) {
      sendError(res, error, (message) => log.error(message));
    }
  };
}

/**
 * Listens on 127.0.0.1 and, when it can, [::1] on the same port: `localhost` may resolve to
 * either depending on the client.
 */
async function listenOnBoth(
  wanted: number,
  handle: (req: IncomingMessage, res: ServerResponse) => Promise<void>,
  onUpgrade: (req: IncomingMessage, socket: Duplex, head: Buffer) => void,
  log: Logger,
): Promise<{ port: number; servers: Server[] }> {
  const servers: Server[] = [];
  const makeServer = (): Server => {
    const server = createServer((req, res) => void handle(req, res));
    server.keepAliveTimeout = 60_000;
    server.on('upgrade', (req, socket, head) => {
      socket.on('error', (error) => log.debug(`upgrade socket error: ${error.message}`));
      onUpgrade(req, socket, head);
    });
    servers.push(server);
    return server;
  };
  const port = await listen(makeServer(), wanted, '127.0.0.1');
  try {
    await listen(makeServer(), port, '::1');
  } catch (error) {
    servers.pop();
    log.debug(`not listening on [::1]:${port}: ${(error as Error).message}`);
  }
  return { port, servers };
}
