import type { Server } from 'node:http';
import {
  HttpTransportType,
  HubConnectionBuilder,
  HubConnectionState,
  LogLevel,
  type HubConnection,
} from '@microsoft/signalr';
import { MessagePackHubProtocol } from '@microsoft/signalr-protocol-msgpack';
import { decode, encode } from '@msgpack/msgpack';
import { parseConnectionString } from '../../../lib/signalr/ConnectionString';
import { createConnectionInfo } from '../../../lib/signalr/tokens';
import type { SignalREmulator } from '../../../local/emulator';
import { frameBinary } from '../../../local/emulator/messagePack';
import { eventually } from '../../support/eventually';
import { CuttableProxy, callRest, closeAll, startEmulatorFor, startUpstreamApp } from './support';

/**
 * The three transports Azure SignalR Service offers (TransportProtocols.md) by the two hub
 * protocols, with and without stateful reconnect where it applies (WebSockets), each with the
 * official clients (@microsoft/signalr, @microsoft/signalr-protocol-msgpack): a REST send to
 * everyone, to a user and to a group arrives; a hub method goes upstream in the client's
 * protocol and its completion comes back; a stateful connection's socket is cut and nothing is
 * lost; a REST close ends the client. Then the protocol's own refusals for the HTTP transports.
 */
jest.setTimeout(30_000);

type Row = readonly [string, 'json' | 'messagepack', 'with' | 'without', HttpTransportType];

/** Server-Sent Events carry text only: the client does not offer it MessagePack. */
const MATRIX: readonly Row[] = [
  ['WebSockets', 'json', 'without', HttpTransportType.WebSockets],
  ['WebSockets', 'json', 'with', HttpTransportType.WebSockets],
  ['WebSockets', 'messagepack', 'without', HttpTransportType.WebSockets],
  ['WebSockets', 'messagepack', 'with', HttpTransportType.WebSockets],
  ['Server-Sent Events', 'json', 'without', HttpTransportType.ServerSentEvents],
  ['Long Polling', 'json', 'without', HttpTransportType.LongPolling],
  ['Long Polling', 'messagepack', 'without', HttpTransportType.LongPolling],
];

describe('client transports', () => {
  let emulator: SignalREmulator;
  let app: Server;
  let proxy: CuttableProxy;
  const upstreamTypes: string[] = [];
  const clients: HubConnection[] = [];
  const cs = () => parseConnectionString(emulator.connectionString);

  beforeAll(async () => {
    // The app's upstream: answers the hub method `echo` with a completion in the caller's
    // protocol, as the extension does.
    const upstream = await startUpstreamApp((req, res, body) => {
      if (req.headers['x-asrs-category'] !== 'messages') return void res.writeHead(200).end();
      const type = req.headers['content-type'] ?? '';
      upstreamTypes.push(type);
      if (type === 'application/x-msgpack') {
        const [, , invocationId, , args] = decode(body) as [
          number,
          object,
          string,
          string,
          unknown[],
        ];
        return void res
          .writeHead(200, { 'Content-Type': 'application/x-msgpack' })
          .end(frameBinary(encode([3, {}, invocationId, 3, args[0]])));
      }
      const { invocationId, arguments: args } = JSON.parse(body.toString()) as {
        invocationId: string;
        arguments: unknown[];
      };
      res
        .writeHead(200, { 'Content-Type': 'application/json' })
        .end(
          `{"type":3,"invocationId":"${invocationId}","result":${JSON.stringify(args[0])}}\u001e`,
        );
    });
    app = upstream.app;
    emulator = await startEmulatorFor(upstream.urlTemplate, { longPollTimeoutMs: 1_000 });
    proxy = await CuttableProxy.start(emulator.port);
  });

  afterAll(async () => {
    await closeAll(clients, emulator, app);
    await proxy.close();
  });

  const rest = (method: string, path: string, body?: unknown) => callRest(cs(), method, path, body);

  /** The official client, through the cuttable proxy. */
  async function connect(
    user: string,
    transport: HttpTransportType,
    protocol: 'json' | 'messagepack' = 'json',
    stateful = false,
  ): Promise<HubConnection> {
    const info = createConnectionInfo(cs(), { hub: 'chat', userId: user });
    const builder = new HubConnectionBuilder()
      .withUrl(info.url.replace(`:${emulator.port}/`, `:${proxy.port}/`), {
        accessTokenFactory: () => info.accessToken,
        transport,
      })
      .configureLogging(LogLevel.None);
    if (protocol === 'messagepack') builder.withHubProtocol(new MessagePackHubProtocol());
    if (stateful) builder.withStatefulReconnect();
    const client = builder.build();
    clients.push(client);
    await client.start();
    return client;
  }

  function next(client: HubConnection, method: string): Promise<unknown> {
    return new Promise((resolve) => {
      const handler = (value: unknown) => {
        client.off(method, handler);
        resolve(value);
      };
      client.on(method, handler);
    });
  }

  it('offers all three in negotiate, with their transfer formats', async () => {
    const info = createConnectionInfo(cs(), { hub: 'chat', userId: 'ana' });
    const response = await fetch(
      `${info.url.replace('/client/?', '/client/negotiate?')}&negotiateVersion=1`,
      { method: 'POST', headers: { Authorization: `Bearer ${info.accessToken}` } },
    );
    expect(
      ((await response.json()) as { availableTransports: unknown }).availableTransports,
    ).toEqual([
      { transport: 'WebSockets', transferFormats: ['Text', 'Binary'] },
      { transport: 'ServerSentEvents', transferFormats: ['Text'] },
      { transport: 'LongPolling', transferFormats: ['Text', 'Binary'] },
    ]);
  });

  it.each(MATRIX)(
    'over %s in %s, %s stateful reconnect: broadcast, to a user, to a group, a hub method upstream, and a REST close',
    async (label, protocol, withStateful, transport) => {
      const stateful = withStateful === 'with';
      const user = `王芳 ${label} ${protocol}${stateful ? ' stateful' : ''}`;
      const client = await connect(user, transport, protocol, stateful);
      expect(client.state).toBe(HubConnectionState.Connected);

      const everyone = next(client, 'newMessage');
      expect(
        (
          await rest('POST', '/api/v1/hubs/chat', {
            target: 'newMessage',
            arguments: [{ text: 'to all' }],
          })
        ).status,
      ).toBe(202);
      await expect(everyone).resolves.toEqual({ text: 'to all' });

      const mine = next(client, 'newMessage');
      const userPath = `/api/v1/hubs/chat/users/${encodeURIComponent(user)}`;
      expect(
        (await rest('POST', userPath, { target: 'newMessage', arguments: [{ text: 'to you 🦊' }] }))
          .status,
      ).toBe(202);
      await expect(mine).resolves.toEqual({ text: 'to you 🦊' });

      const group = `room:${user}`;
      expect(
        (
          await rest(
            'PUT',
            `/api/v1/hubs/chat/groups/${encodeURIComponent(group)}/users/${encodeURIComponent(user)}`,
          )
        ).status,
      ).toBeLessThan(300);
      const inGroup = next(client, 'newMessage');
      expect(
        (
          await rest('POST', `/api/v1/hubs/chat/groups/${encodeURIComponent(group)}`, {
            target: 'newMessage',
            arguments: [{ text: 'to the room' }],
          })
        ).status,
      ).toBe(202);
      await expect(inGroup).resolves.toEqual({ text: 'to the room' });

      await expect(client.invoke('echo', { said: 'hi' })).resolves.toEqual({ said: 'hi' });
      expect(upstreamTypes.at(-1)).toBe(
        protocol === 'messagepack' ? 'application/x-msgpack' : 'application/json',
      );

      if (stateful) {
        // The socket cut mid-conversation: what is sent meanwhile arrives once, in order, on the
        // same connection.
        const connectionId = client.connectionId;
        const heard: unknown[] = [];
        client.on('newMessage', (value: unknown) => heard.push(value));
        proxy.holding = true;
        proxy.cut();
        for (const n of [1, 2, 3])
          await rest('POST', userPath, { target: 'newMessage', arguments: [n] });
        proxy.release();
        await expect(client.invoke('echo', 'after the cut')).resolves.toBe('after the cut');
        await eventually(() => heard.length >= 3, 'the three sent during the cut');
        expect(heard).toEqual([1, 2, 3]);
        expect(client.connectionId).toBe(connectionId);
      }

      const closed = new Promise<Error | undefined>((resolve) => client.onclose(resolve));
      const connectionId = client.connectionId!;
      expect((await rest('DELETE', `/api/v1/hubs/chat/connections/${connectionId}`)).ok).toBe(true);
      await closed;
      expect(client.state).toBe(HubConnectionState.Disconnected);
    },
  );

  it('over long polling, keeps a message sent between two polls and answers an idle poll with 200 and nothing', async () => {
    const client = await connect('nia', HttpTransportType.LongPolling);
    // Longer than the poll timeout (1 s here): the client polls again after an empty 200.
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    const arrived = next(client, 'newMessage');
    await rest('POST', '/api/v1/hubs/chat', { target: 'newMessage', arguments: ['after idle'] });
    await expect(arrived).resolves.toBe('after idle');
    expect(client.state).toBe(HubConnectionState.Connected);
  });

  it('reaches hub app_chat, not chat, with ?application=app on the REST API, as Azure does', async () => {
    const info = createConnectionInfo(cs(), { hub: 'app_chat', userId: 'in-app' });
    const inApp = new HubConnectionBuilder()
      .withUrl(info.url, { accessTokenFactory: () => info.accessToken })
      .configureLogging(LogLevel.None)
      .build();
    clients.push(inApp);
    await inApp.start();
    const plain = await connect('plain', HttpTransportType.WebSockets);
    const heard: string[] = [];
    plain.on('newMessage', (text: string) => heard.push(`plain: ${text}`));
    const arrived = next(inApp, 'newMessage');
    expect(
      (
        await rest('POST', '/api/v1/hubs/Chat?application=App', {
          target: 'newMessage',
          arguments: ['for the app'],
        })
      ).status,
    ).toBe(202);
    await expect(arrived).resolves.toBe('for the app');
    // A send to plain `chat` after it: once it arrives, the app's send has passed it by.
    const marker = next(plain, 'newMessage');
    await rest('POST', '/api/v1/hubs/chat', { target: 'newMessage', arguments: ['marker'] });
    await marker;
    expect(heard).toEqual(['plain: marker']);
    expect(
      (await rest('POST', '/api/v1/hubs/chat?application=1bad', { target: 'x', arguments: [] }))
        .status,
    ).toBe(400);
  });

  it('closes a connection from the REST API allowing reconnect, so a client with automatic reconnect comes back', async () => {
    const info = createConnectionInfo(cs(), { hub: 'chat', userId: 'comes-back' });
    const client = new HubConnectionBuilder()
      .withUrl(info.url, { accessTokenFactory: () => info.accessToken })
      .withAutomaticReconnect([0])
      .configureLogging(LogLevel.None)
      .build();
    clients.push(client);
    await client.start();
    const reconnecting = new Promise<Error | undefined>((resolve) =>
      client.onreconnecting(resolve),
    );
    const reconnected = new Promise<unknown>((resolve) => client.onreconnected(resolve));
    await rest('DELETE', `/api/v1/hubs/chat/connections/${client.connectionId}?reason=maintenance`);
    expect((await reconnecting)?.message).toContain('maintenance');
    await reconnected;
    expect(client.state).toBe(HubConnectionState.Connected);
  });

  describe('refusals of the HTTP transports', () => {
    /** A negotiated connection token and the URL of its transport, without a client. */
    async function negotiated(): Promise<{ url: string; token: string }> {
      const info = createConnectionInfo(cs(), { hub: 'chat', userId: 'raw' });
      const body = (await (
        await fetch(`${info.url.replace('/client/?', '/client/negotiate?')}&negotiateVersion=1`, {
          method: 'POST',
          headers: { Authorization: `Bearer ${info.accessToken}` },
        })
      ).json()) as { connectionToken: string };
      return {
        url: `${info.url}&id=${body.connectionToken}&access_token=${info.accessToken}`,
        token: body.connectionToken,
      };
    }

    it('answers 400 without an id, 404 for an unknown one, 401 without a token', async () => {
      const { url } = await negotiated();
      expect((await fetch(url.replace(/&id=[^&]+/, ''))).status).toBe(400);
      expect((await fetch(url.replace(/&id=[^&]+/, '&id=nope'))).status).toBe(404);
      expect((await fetch(url.replace(/&access_token=.*/, ''))).status).toBe(401);
      expect((await fetch(url, { method: 'POST', body: 'x' })).status).toBe(404);
    });

    it('ends a waiting poll with 204 when a second poll arrives, and with 204 after DELETE', async () => {
      const { url } = await negotiated();
      expect((await fetch(url)).status).toBe(200); // the first poll makes the connection, at once
      const first = fetch(url);
      await new Promise((resolve) => setTimeout(resolve, 100));
      const second = fetch(url);
      expect((await first).status).toBe(204);
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect((await fetch(url, { method: 'DELETE' })).status).toBe(202);
      expect((await second).status).toBe(204);
      expect((await fetch(url)).status).toBe(404);
    });

    it('refuses a send over the message size limit with 413, and a second event stream with 409', async () => {
      const { url } = await negotiated();
      const stream = new AbortController();
      const events = await fetch(url, {
        headers: { Accept: 'text/event-stream' },
        signal: stream.signal,
      });
      expect(events.headers.get('content-type')).toBe('text/event-stream');
      expect((await fetch(url, { headers: { Accept: 'text/event-stream' } })).status).toBe(409);
      const big = 'x'.repeat(1024 * 1024 + 1);
      expect((await fetch(url, { method: 'POST', body: big })).status).toBe(413);
      stream.abort();
    });
  });
});
