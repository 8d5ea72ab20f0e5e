import WebSocket from 'ws';
import {
  HubConnectionBuilder,
  HubConnectionState,
  LogLevel,
  type HubConnection,
} from '@microsoft/signalr';
import { parseConnectionString } from '../../../lib/signalr/ConnectionString';
import { createClientToken } from '../../../lib/signalr/tokens';
import { HubMethod } from '../../../lib/hub';
import { EmulatorFixture, Inbox } from './support';

/** docs/signalr-service.md, "Client endpoint" and "Hub protocol": negotiate and upgrade refusals, the handshake, frames, invocations, cleanup. */
describe('emulator client endpoint', () => {
  let fixture: EmulatorFixture;
  beforeEach(async () => {
    fixture = await EmulatorFixture.start({ maxConnections: 3, maxMessageBytes: 4096 });
  });
  afterEach(() => fixture.close());

  const base = () => `http://localhost:${fixture.emulator.port}`;
  const token = (hub = 'chat', user = 'alice') =>
    createClientToken(fixture.cs, { hub, userId: user });
  const negotiate = async (query = 'hub=chat&negotiateVersion=1', auth?: string) =>
    fetch(`${base()}/client/negotiate?${query}`, {
      method: 'POST',
      headers: {
        Authorization: `Bearer ${auth ?? token()}`,
        Origin: 'http://127.0.0.1:5500',
      },
    });
  const openSocket = (id: string, auth: string, hub = 'chat') =>
    new Promise<{ ws?: WebSocket; status?: number }>((resolve) => {
      const ws = new WebSocket(
        `ws://localhost:${fixture.emulator.port}/client/?hub=${hub}&id=${encodeURIComponent(id)}`,
        { headers: { Authorization: `Bearer ${auth}` } },
      );
      ws.on('open', () => resolve({ ws }));
      ws.on('unexpected-response', (_req, res) => resolve({ status: res.statusCode }));
      ws.on('error', () => undefined);
    });

  it('answers negotiate v1 with a connection token and the three transports, echoing the origin with credentials', async () => {
    const response = await negotiate();
    expect(response.status).toBe(200);
    expect(response.headers.get('access-control-allow-origin')).toBe('http://127.0.0.1:5500');
    expect(response.headers.get('access-control-allow-credentials')).toBe('true');
    const body = (await response.json()) as Record<string, unknown>;
    expect(Object.keys(body).sort()).toEqual([
      'availableTransports',
      'connectionId',
      'connectionToken',
      'negotiateVersion',
    ]);
    expect(body.availableTransports).toEqual([
      { transport: 'WebSockets', transferFormats: ['Text', 'Binary'] },
      { transport: 'ServerSentEvents', transferFormats: ['Text'] },
      { transport: 'LongPolling', transferFormats: ['Text', 'Binary'] },
    ]);
  });

  it('answers negotiate v0 with the connection id only', async () => {
    const body = (await (await negotiate('hub=chat')).json()) as Record<string, unknown>;
    expect(Object.keys(body).sort()).toEqual(['availableTransports', 'connectionId']);
  });

  it('answers the browser preflight', async () => {
    const response = await fetch(`${base()}/client/negotiate?hub=chat`, {
      method: 'OPTIONS',
      headers: {
        Origin: 'http://localhost:5500',
        'Access-Control-Request-Method': 'POST',
        'Access-Control-Request-Headers': 'authorization,x-requested-with,x-signalr-user-agent',
      },
    });
    expect(response.status).toBe(204);
    expect(response.headers.get('access-control-allow-headers')).toBe(
      'authorization,x-requested-with,x-signalr-user-agent',
    );
    expect(response.headers.get('access-control-allow-credentials')).toBe('true');
  });

  it.each([
    ['a missing token', 'hub=chat', '', 401],
    ['a token for another hub', 'hub=chat', 'other', 401],
    ['two hub parameters', 'hub=chat&hub=x', undefined, 400],
    ['no hub parameter', 'negotiateVersion=1', undefined, 400],
    ['an invalid hub name', 'hub=1chat', undefined, 400],
  ])('refuses negotiate with %s', async (_label, query, tokenHub, status) => {
    const auth = tokenHub === '' ? '' : tokenHub === undefined ? undefined : token(tokenHub);
    const response = await fetch(`${base()}/client/negotiate?${query}`, {
      method: 'POST',
      headers: auth ? { Authorization: `Bearer ${auth}` } : {},
    });
    expect(response.status).toBe(status);
    if (status === 401) expect(response.headers.get('www-authenticate')).toMatch(/invalid_token/);
  });

  it('refuses an upgrade with a bad token (401), an unknown id (404), and a second socket on one id (409)', async () => {
    const { connectionToken } = (await (await negotiate()).json()) as { connectionToken: string };
    const wrongKey = createClientToken(
      parseConnectionString('Endpoint=http://localhost;AccessKey=another-key;Version=1.0'),
      { hub: 'chat', userId: 'alice' },
    );
    expect((await openSocket(connectionToken, wrongKey)).status).toBe(401);
    expect((await openSocket('unknown-id', token())).status).toBe(404);
    const first = await openSocket(connectionToken, token());
    expect(first.ws).toBeDefined();
    expect((await openSocket(connectionToken, token())).status).toBe(409);
    first.ws!.close();
  });

  it('answers 404 to an upgrade more than 5 s after negotiate', async () => {
    jest.useFakeTimers({
      doNotFake: [
        'nextTick',
        'setImmediate',
        'setTimeout',
        'setInterval',
        'clearTimeout',
        'clearInterval',
        'queueMicrotask',
      ],
    });
    try {
      const { connectionToken } = (await (await negotiate()).json()) as { connectionToken: string };
      jest.setSystemTime(Date.now() + 6000);
      const auth = token();
      expect((await openSocket(connectionToken, auth)).status).toBe(404);
    } finally {
      jest.useRealTimers();
    }
  });

  it('answers 429 past the connection limit', async () => {
    for (let i = 0; i < 3; i++) await fixture.connect(`u${i}`);
    const response = await negotiate();
    expect(response.status).toBe(429);
  });

  it('refuses a handshake for another protocol with an error record, then closes', async () => {
    const { connectionToken } = (await (await negotiate()).json()) as { connectionToken: string };
    const { ws } = await openSocket(connectionToken, token());
    const reply = new Promise<string>((resolve) =>
      ws!.once('message', (data) => resolve(data.toString())),
    );
    const closed = new Promise<void>((resolve) => ws!.once('close', () => resolve()));
    ws!.send('{"protocol":"bson","version":1}\u001e');
    expect(await reply).toBe(
      `{"error":"The protocol 'bson' is not supported; this service speaks 'json' and 'messagepack'."}\u001e`,
    );
    await closed;
  });

  it('closes a connection that sends a frame over the size limit (1009)', async () => {
    const { connectionToken } = (await (await negotiate()).json()) as { connectionToken: string };
    const { ws } = await openSocket(connectionToken, token());
    const handshake = new Promise<void>((resolve) => ws!.once('message', () => resolve()));
    ws!.send('{"protocol":"json","version":1}\u001e');
    await handshake;
    const closed = new Promise<number>((resolve) => ws!.once('close', (code) => resolve(code)));
    ws!.send(`${JSON.stringify({ type: 1, target: 'x', arguments: ['y'.repeat(5000)] })}\u001e`);
    expect(await closed).toBe(1009);
  });

  it.each([
    ['invoke()', (c: HubConnection) => c.invoke('SendMessage', 'hi')],
    ['send() (fire and forget)', (c: HubConnection) => c.send('SendMessage', 'hi')],
  ])(
    'closes a connection that calls a hub method by %s: serverless mode with no upstream',
    async (_label, call) => {
      const connection = await fixture.connect('alice');
      const closed = new Promise<Error | undefined>((resolve) => connection.onclose(resolve));
      await call(connection).catch(() => undefined);
      expect((await closed)?.message).toMatch(
        /Invocation of 'SendMessage' is not supported: this hub is in serverless mode with no upstream configured\./,
      );
      expect(connection.state).toBe(HubConnectionState.Disconnected);
    },
  );

  it('leaves no connection, user or group behind when every client leaves', async () => {
    const a = await fixture.connect('alice');
    const b = await fixture.connect('bob');
    expect(
      (await fixture.call('PUT', `/api/v1/hubs/chat/groups/g/connections/${b.connectionId}`))
        .status,
    ).toBe(200);
    expect(fixture.emulator.stats()).toEqual(
      expect.objectContaining({ connections: 2, users: 2, groups: 1 }),
    );
    await a.stop();
    await b.stop();
    await new Promise<void>((resolve) => {
      const check = () =>
        fixture.emulator.stats().connections === 0 ? resolve() : setImmediate(check);
      check();
    });
    expect(fixture.emulator.stats()).toEqual({
      connections: 0,
      users: 0,
      groups: 0,
      userGroups: 0,
      pending: 0,
    });
  });

  it('lets a client with automatic reconnect reconnect after the service closes with allowReconnect', async () => {
    const connection = new HubConnectionBuilder()
      .withUrl(`${fixture.negotiateBase}/api?user=alice`)
      .withAutomaticReconnect([0, 200, 200, 500, 1000])
      .configureLogging(LogLevel.None)
      .build();
    const inbox = new Inbox();
    connection.on(HubMethod.NewMessage, inbox.receive);
    await connection.start();
    const firstId = connection.connectionId;
    const reconnecting = new Promise<void>((resolve) => connection.onreconnecting(() => resolve()));
    const reconnected = new Promise<void>((resolve) => connection.onreconnected(() => resolve()));
    await fixture.restartEmulator();
    await reconnecting;
    await reconnected;
    expect(connection.connectionId).not.toBe(firstId);
    await fixture.call('POST', '/api/v1/hubs/chat/users/alice', {
      target: HubMethod.NewMessage,
      arguments: ['back'],
    });
    await inbox.waitFor(1);
    expect(inbox.messages).toEqual(['back']);
    await connection.stop();
  });
});
