import type { Server } from 'node:http';
import {
  HttpTransportType,
  HubConnectionBuilder,
  HubConnectionState,
  LogLevel,
  type HubConnection,
} from '@microsoft/signalr';
import { parseConnectionString } from '../../../lib/signalr/ConnectionString';
import { createConnectionInfo } from '../../../lib/signalr/tokens';
import type { SignalREmulator } from '../../../local/emulator';
import { callRest, closeAll, startEmulatorFor, startUpstreamApp } from './support';

/**
 * The three transports Azure SignalR Service offers (TransportProtocols.md), each with the
 * official client: negotiate offers them; over each, a REST send to everyone, to a user and to a
 * group arrives; a hub method goes upstream and its completion comes back; a REST close ends the
 * client. Then the protocol's own refusals for the HTTP transports.
 */
jest.setTimeout(30_000);

const TRANSPORTS = [
  ['WebSockets', HttpTransportType.WebSockets],
  ['Server-Sent Events', HttpTransportType.ServerSentEvents],
  ['Long Polling', HttpTransportType.LongPolling],
] as const;

describe('client transports', () => {
  let emulator: SignalREmulator;
  let app: Server;
  const clients: HubConnection[] = [];
  const cs = () => parseConnectionString(emulator.connectionString);

  beforeAll(async () => {
    // The app's upstream: answers the hub method `echo` with a completion, as the extension does.
    const upstream = await startUpstreamApp((req, res, body) => {
      if (req.headers['x-asrs-category'] !== 'messages') return void res.writeHead(200).end();
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
  });

  afterAll(() => closeAll(clients, emulator, app));

  const rest = (method: string, path: string, body?: unknown) => callRest(cs(), method, path, body);

  async function connect(user: string, transport: HttpTransportType): Promise<HubConnection> {
    const info = createConnectionInfo(cs(), { hub: 'chat', userId: user });
    const client = new HubConnectionBuilder()
      .withUrl(info.url, { accessTokenFactory: () => info.accessToken, transport })
      .configureLogging(LogLevel.None)
      .build();
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

  it.each(TRANSPORTS)(
    'over %s: broadcast, to a user, to a group, a hub method upstream, and a REST close',
    async (label, transport) => {
      const user = `王芳 ${label}`;
      const client = await connect(user, transport);
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

      const group = `room:${label}`;
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
