import { HubMethod } from '../../../lib/hub';
import { DEVELOPMENT_CONNECTION_STRING } from '../../../local/signalr/constants';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import {
  connect as connectTcp,
  createServer as createNetServer,
  type AddressInfo,
  type Server as NetServer,
  type Socket,
} from 'node:net';
import { HubConnectionBuilder, LogLevel, type HubConnection } from '@microsoft/signalr';
import { startEmulator, type SignalREmulator } from '../../../local/emulator';
import {
  parseConnectionString,
  serverBaseUrl,
  type SignalRConnectionString,
} from '../../../lib/signalr/ConnectionString';
import { createConnectionInfo, createServerToken } from '../../../lib/signalr/tokens';

/** An emulator on a free port, plus a tiny negotiate function that redirects like the app's. */
export class EmulatorFixture {
  private constructor(
    public emulator: SignalREmulator,
    readonly cs: SignalRConnectionString,
    private readonly negotiateServer: Server,
    readonly negotiateBase: string,
    private readonly connections: HubConnection[] = [],
  ) {}

  static async start(
    options: { maxConnections?: number; maxMessageBytes?: number; maxBufferedBytes?: number } = {},
  ): Promise<EmulatorFixture> {
    const emulator = await startEmulator({
      connectionString: DEVELOPMENT_CONNECTION_STRING,
      port: 0,
      logLevel: 'silent',
      ...options,
    });
    const cs = parseConnectionString(emulator.connectionString);
    // The app's negotiate function, reduced to its contract: {url, accessToken} for ?user=
    // (and ?hub=, default chat).
    const server = createServer((req, res) => {
      const query = new URL(req.url ?? '/', 'http://x').searchParams;
      const user = query.get('user') ?? undefined;
      const hub = query.get('hub') ?? 'chat';
      const info = createConnectionInfo(cs, { hub, userId: user });
      res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify(info));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return new EmulatorFixture(
      emulator,
      cs,
      server,
      `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    );
  }

  /** Connects the official client through the negotiate redirect, as a browser would. */
  async connect(
    user: string | undefined,
    onMessage?: (message: unknown) => void,
    hub = 'chat',
  ): Promise<HubConnection> {
    const params = new URLSearchParams({ hub, ...(user !== undefined && { user }) });
    const query = `?${params.toString()}`;
    // The client appends /negotiate to the base URL and keeps the query.
    const connection = new HubConnectionBuilder()
      .withUrl(`${this.negotiateBase}/api${query}`)
      .configureLogging(LogLevel.None)
      .build();
    if (onMessage) connection.on(HubMethod.NewMessage, onMessage);
    await connection.start();
    this.connections.push(connection);
    return connection;
  }

  /** Stops the emulator and starts a new one on the same port, as a service restart does. */
  async restartEmulator(): Promise<void> {
    const port = this.emulator.port;
    await this.emulator.close();
    this.emulator = await startEmulator({
      connectionString: DEVELOPMENT_CONNECTION_STRING,
      port,
      logLevel: 'silent',
    });
  }

  rest(path: string): string {
    return `${serverBaseUrl(this.cs)}${path}`;
  }

  /** Calls the REST API with a valid server token for the URL. */
  call(method: string, path: string, body?: unknown, token?: string): Promise<Response> {
    return callRest(this.cs, method, path, body, token);
  }

  async close(): Promise<void> {
    await Promise.all(this.connections.map((connection) => connection.stop()));
    await this.emulator.close();
    await new Promise<void>((resolve) => this.negotiateServer.close(() => resolve()));
  }
}

/** Collects messages; any number of waiters can wait for a count at once. */
export class Inbox {
  readonly messages: unknown[] = [];
  private waiters: { count: number; resolve: () => void }[] = [];
  readonly receive = (message: unknown): void => {
    this.messages.push(message);
    this.waiters = this.waiters.filter((waiter) => {
      if (this.messages.length < waiter.count) return true;
      waiter.resolve();
      return false;
    });
  };
  waitFor(count: number, timeoutMs = 3000): Promise<void> {
    if (this.messages.length >= count) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`Expected ${count} messages, got ${JSON.stringify(this.messages)}`)),
        timeoutMs,
      );
      this.waiters.push({ count, resolve: () => (clearTimeout(timer), resolve()) });
    });
  }
}

/** Calls an emulator's REST API with a valid server token for the URL (or `token`). */
export function callRest(
  cs: SignalRConnectionString,
  method: string,
  path: string,
  body?: unknown,
  token?: string,
): Promise<Response> {
  const url = `${serverBaseUrl(cs)}${path}`;
  const auth = token ?? createServerToken(cs, url.split('?')[0]);
  return fetch(url, {
    method,
    headers: { Authorization: `Bearer ${auth}`, 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

/**
 * An app that answers the emulator's upstream calls with `handler`, on a free port: the server,
 * and the URL template that points the emulator at it.
 */
export async function startUpstreamApp(
  handler: (req: IncomingMessage, res: ServerResponse, body: Buffer) => void,
): Promise<{ app: Server; urlTemplate: string }> {
  const app = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => handler(req, res, Buffer.concat(chunks)));
  });
  await new Promise<void>((resolve) => app.listen(0, '127.0.0.1', resolve));
  return { app, urlTemplate: `http://127.0.0.1:${(app.address() as AddressInfo).port}/{event}` };
}

/** An emulator on a free port, quiet, its upstream pointed at `upstreamUrlTemplate`. */
export function startEmulatorFor(
  upstreamUrlTemplate: string,
  options: Partial<Parameters<typeof startEmulator>[0]> = {},
): Promise<SignalREmulator> {
  return startEmulator({
    connectionString: DEVELOPMENT_CONNECTION_STRING,
    port: 0,
    logLevel: 'silent',
    upstreamUrlTemplate,
    ...options,
  });
}

/** Stops the clients, then the emulator, then the fake app (each may be missing after a failure). */
export async function closeAll(
  clients: readonly HubConnection[],
  emulator: SignalREmulator | undefined,
  app: Server | undefined,
): Promise<void> {
  await Promise.all(clients.map((client) => client.stop()));
  await emulator?.close();
  await new Promise((resolve) => (app ? app.close(resolve) : resolve(undefined)));
}

/**
 * A TCP proxy in front of the emulator whose sockets can be cut, as a network drop cuts them:
 * `cut()` destroys every open pair (both ends see the socket go without a close frame), and
 * while `holding`, new connections wait unanswered until `release()`, so a client's reconnect
 * lands only when the test says so.
 */
export class CuttableProxy {
  holding = false;
  private readonly pairs = new Set<Socket>();
  private parked: Socket[] = [];

  private constructor(
    private readonly server: NetServer,
    private readonly targetPort: number,
  ) {}

  static async start(targetPort: number): Promise<CuttableProxy> {
    const server = createNetServer((socket) => proxy.accept(socket));
    const proxy = new CuttableProxy(server, targetPort);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return proxy;
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  /** Ends every proxied connection at once, without a close frame. */
  cut(): void {
    for (const socket of this.pairs) socket.destroy();
    this.pairs.clear();
  }

  /** Lets parked connections through, and new ones from now on. */
  release(): void {
    this.holding = false;
    const parked = this.parked;
    this.parked = [];
    for (const socket of parked) if (!socket.destroyed) this.forward(socket);
  }

  async close(): Promise<void> {
    this.cut();
    for (const socket of this.parked) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private accept(socket: Socket): void {
    socket.on('error', () => undefined);
    if (this.holding) {
      socket.pause();
      this.parked.push(socket);
    } else this.forward(socket);
  }

  private forward(client: Socket): void {
    const target = connectTcp(this.targetPort, '127.0.0.1');
    target.on('error', () => client.destroy());
    client.on('error', () => target.destroy());
    client.on('close', () => target.destroy());
    target.on('close', () => client.destroy());
    client.pipe(target).pipe(client);
    client.resume();
    this.pairs.add(client).add(target);
  }
}
