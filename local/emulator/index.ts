import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { WebSocketServer } from 'ws';
import { closeServer, listen } from '../httpServer';
import { createLogger, type LogLevel } from '../log';
import { listenPort, parseConnectionString } from '../signalr/ConnectionString';
import { ClientConnection } from './ClientConnection';
import {
  negotiate,
  upgrade,
  type ClientEndpointContext,
  type PendingConnection,
} from './clientEndpoint';
import {
  DEFAULT_MAX_BUFFERED_BYTES,
  DEFAULT_MAX_CONNECTIONS,
  DEFAULT_MAX_MESSAGE_BYTES,
  KEEP_ALIVE_INTERVAL_MS,
  NEGOTIATE_TTL_MS,
  SWEEP_INTERVAL_MS,
} from './constants';
import type { RegistryStats } from './ConnectionRegistry';
import { HubRegistry } from './HubRegistry';
import { applyCors } from './cors';
import { HttpError, sendError } from '../http/HttpError';
import { parseRequestTarget } from '../http/requestTarget';
import { MessageType, PING_FRAME, formatRecord } from './HubProtocol';
import { Upstream } from './Upstream';
import { handleRest } from './restApi';

export interface EmulatorOptions {
  /** The app's AzureSignalRConnectionString; its Port is where the emulator listens. */
  readonly connectionString: string;
  /** Overrides the string's Port; 0 picks a free one. */
  readonly port?: number;
  readonly logLevel?: LogLevel;
  readonly maxConnections?: number;
  /** Largest client frame; a larger one closes the connection with 1009. */
  readonly maxMessageBytes?: number;
  /** Unsent bytes past which a client that is not reading is closed. */
  readonly maxBufferedBytes?: number;
  /** Upstream URL template (`{hub}`, `{category}`, `{event}`); none means invocations close. */
  readonly upstreamUrlTemplate?: string;
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
  /** Sets (or clears) the upstream URL template, as the service's upstream settings do. */
  setUpstream(urlTemplate: string | undefined): void;
  /** Closes every client with allowReconnect, then the listeners. Safe to call twice. */
  close(): Promise<void>;
}

/** An upstream's answer as a completion result: JSON when it is JSON, else the text. */
function parseResult(body: string): unknown {
  try {
    return JSON.parse(body);
  } catch {
    return body;
  }
}

function withPort(connectionString: string, port: number): string {
  const parts = connectionString
    .split(';')
    .filter((part) => part.trim().length > 0 && !/^\s*port\s*=/i.test(part));
  return `${parts.join(';')};Port=${port};`;
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
  const ctx: ClientEndpointContext = {
    cs,
    pending,
    isConnected: (token) => byToken.has(token),
    connectionCount: () => byToken.size,
    maxConnections: options.maxConnections ?? DEFAULT_MAX_CONNECTIONS,
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
      if (await handleRest({ cs, registry }, req, res, url)) return;
      throw new HttpError(404, `Nothing at ${url.pathname}.`);
    } catch (error) {
      sendError(res, error, (message) => log.error(message));
    }
  };

  let upstream =
    options.upstreamUrlTemplate === undefined
      ? undefined
      : new Upstream(options.upstreamUrlTemplate, cs.accessKey, log);
  const onSocket = (token: string, entry: PendingConnection, ws: import('ws').WebSocket): void => {
    const upstreamConnection = {
      id: entry.connectionId,
      hub: entry.hub.toLowerCase(),
      userId: entry.userId,
      claims: entry.claims,
      query: entry.query,
    };
    const connection = new ClientConnection(
      entry.connectionId,
      entry.hub.toLowerCase(),
      entry.userId,
      ws,
      maxBufferedBytes,
      log,
      (connected) => {
        registry.add(connected);
        upstream?.connected(upstreamConnection);
      },
      (closed) => {
        registry.remove(closed);
        byToken.delete(token);
        upstream?.disconnected(upstreamConnection);
      },
    );
    if (upstream !== undefined) {
      const target = upstream;
      connection.onInvocation = (message) =>
        void target.invoke(upstreamConnection, message).then(
          (answer) => {
            if (message.invocationId === undefined) return;
            connection.send(
              formatRecord({
                type: MessageType.Completion,
                invocationId: message.invocationId,
                ...(answer.ok
                  ? answer.body.length > 0 && { result: parseResult(answer.body) }
                  : { error: `Invocation failed, status code ${answer.status}` }),
              }),
            );
          },
          (error: unknown) => log.warn(`upstream invocation failed: ${String(error)}`),
        );
    }
    byToken.set(token, connection);
    ws.once('close', () => byToken.delete(token));
  };

  const servers: Server[] = [];
  const makeServer = (): Server => {
    const server = createServer((req, res) => void handleRequest(req, res));
    server.keepAliveTimeout = 60_000;
    server.on('upgrade', (req, socket, head) => {
      socket.on('error', (error) => log.debug(`upgrade socket error: ${error.message}`));
      void upgrade(ctx, wss, req, socket, head, onSocket);
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
    for (const connection of registry.connections()) connection.send(PING_FRAME);
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
      upstream =
        urlTemplate === undefined ? undefined : new Upstream(urlTemplate, cs.accessKey, log);
    },
    close: () =>
      (closing ??= (async () => {
        clearInterval(keepAlive);
        clearInterval(sweeper);
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
