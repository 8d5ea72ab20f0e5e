import type { Server } from 'node:http';
import {
  HttpTransportType,
  HubConnectionBuilder,
  HubConnectionState,
  LogLevel,
  type HubConnection,
} from '@microsoft/signalr';
import WebSocket from 'ws';
import { parseConnectionString } from '../../../lib/signalr/ConnectionString';
import { createConnectionInfo } from '../../../lib/signalr/tokens';
import type { SignalREmulator } from '../../../local/emulator';
import { eventually } from '../../support/eventually';
import { CuttableProxy, callRest, closeAll, startEmulatorFor, startUpstreamApp } from './support';

/**
 * Stateful reconnect (hub protocol version 2: Ack and Sequence), with the official client's
 * `withStatefulReconnect()` and with a raw socket where the test must see the frames: a socket
 * cut mid-stream loses and doubles nothing either way, the client does not even say
 * "Reconnecting"; after the window the connection ends cleanly and automatic reconnect starts
 * a new one; only the connection's own user can take it up.
 */
jest.setTimeout(30_000);

const RS = '\u001e';
const WINDOW_MS = 2_000;

interface UpstreamCall {
  readonly event: string;
  readonly connectionId: string;
  readonly body: unknown;
}

describe('stateful reconnect', () => {
  let emulator: SignalREmulator;
  let app: Server;
  let proxy: CuttableProxy;
  const calls: UpstreamCall[] = [];
  const clients: HubConnection[] = [];
  const cs = () => parseConnectionString(emulator.connectionString);

  beforeAll(async () => {
    const upstream = await startUpstreamApp((req, res, body) => {
      calls.push({
        event: String(req.headers['x-asrs-event']),
        connectionId: String(req.headers['x-asrs-connection-id']),
        body: body.length > 0 ? JSON.parse(body.toString().replace(RS, '')) : undefined,
      });
      res.writeHead(200).end();
    });
    app = upstream.app;
    emulator = await startEmulatorFor(upstream.urlTemplate, {
      reconnectWindowMs: WINDOW_MS,
      replayBufferBytes: 4_000,
    });
    proxy = await CuttableProxy.start(emulator.port);
  });

  afterEach(() => proxy.release());
  afterAll(async () => {
    await closeAll(clients, emulator, app);
    await proxy.close();
  });

  const rest = (method: string, path: string, body?: unknown) => callRest(cs(), method, path, body);
  const sendTo = (user: string, n: number) =>
    rest('POST', `/api/v1/hubs/chat/users/${encodeURIComponent(user)}`, {
      target: 'newMessage',
      arguments: [n],
    });

  /** The official client through the proxy, with stateful and automatic reconnect. */
  async function connect(user: string, stateful = true) {
    const info = createConnectionInfo(cs(), { hub: 'chat', userId: user });
    const url = info.url.replace(`:${emulator.port}/`, `:${proxy.port}/`);
    const builder = new HubConnectionBuilder()
      .withUrl(url, {
        accessTokenFactory: () => info.accessToken,
        transport: HttpTransportType.WebSockets,
      })
      .withAutomaticReconnect([0, 200, 500])
      .configureLogging(LogLevel.None);
    if (stateful) builder.withStatefulReconnect();
    const client = builder.build();
    const received: unknown[] = [];
    const events: string[] = [];
    client.on('newMessage', (n: unknown) => received.push(n));
    client.onreconnecting(() => events.push('reconnecting'));
    client.onreconnected(() => events.push('reconnected'));
    client.onclose(() => events.push('closed'));
    clients.push(client);
    await client.start();
    return { client, received, events };
  }

  it('says useStatefulReconnect in negotiate only to a client that asks', async () => {
    const info = createConnectionInfo(cs(), { hub: 'chat', userId: 'ana' });
    const negotiate = async (query: string) => {
      const url = `${info.url.replace('/client/?', '/client/negotiate?')}&negotiateVersion=1${query}`;
      const response = await fetch(url, {
        method: 'POST',
        headers: { Authorization: `Bearer ${info.accessToken}` },
      });
      return (await response.json()) as { useStatefulReconnect?: boolean };
    };
    expect((await negotiate('&useStatefulReconnect=true')).useStatefulReconnect).toBe(true);
    expect((await negotiate('&UseStatefulReconnect=True')).useStatefulReconnect).toBe(true);
    expect((await negotiate('')).useStatefulReconnect).toBeUndefined();
    expect((await negotiate('&useStatefulReconnect=yes')).useStatefulReconnect).toBeUndefined();
  });

  it('loses and doubles nothing when the socket is cut mid-stream, both ways, without "Reconnecting"', async () => {
    const user = 'Ngọc Ánh';
    const { client, received, events } = await connect(user);
    const connectionId = client.connectionId;
    for (let n = 1; n <= 10; n += 1) expect((await sendTo(user, n)).status).toBe(202);
    await eventually(() => received.length === 10, 'the first ten before the cut');

    proxy.holding = true;
    proxy.cut();
    // Sent while the socket is down: kept by the service, and by the client for its own sends.
    for (let n = 11; n <= 30; n += 1) expect((await sendTo(user, n)).status).toBe(202);
    for (let n = 1; n <= 5; n += 1) void client.send('note', `from the client ${n} 🦊`);
    await new Promise((resolve) => setTimeout(resolve, 300));
    proxy.release();

    await eventually(() => received.length >= 30, 'all thirty after the socket came back');
    await eventually(
      () => calls.filter((call) => call.event === 'note').length >= 5,
      'the five client sends upstream',
    );
    // A marker sent after proves nothing more arrives (no late duplicate).
    expect((await sendTo(user, 31)).status).toBe(202);
    await eventually(() => received.includes(31), 'the marker');
    expect(received).toEqual(Array.from({ length: 31 }, (_, i) => i + 1));
    const notes = calls.filter(
      (call) => call.event === 'note' && call.connectionId === connectionId,
    );
    expect(notes.map((call) => (call.body as { arguments: unknown[] }).arguments[0])).toEqual(
      [1, 2, 3, 4, 5].map((n) => `from the client ${n} 🦊`),
    );
    expect(client.connectionId).toBe(connectionId);
    expect(client.state).toBe(HubConnectionState.Connected);
    expect(events).toEqual([]);
    expect(
      calls.some((call) => call.event === 'disconnected' && call.connectionId === connectionId),
    ).toBe(false);
  });

  it('ends the connection cleanly after the window, and automatic reconnect makes a new one', async () => {
    const user = 'window-user';
    const { client, events } = await connect(user);
    const connectionId = client.connectionId;
    proxy.holding = true;
    proxy.cut();
    await eventually(
      () =>
        calls.some((call) => call.event === 'disconnected' && call.connectionId === connectionId),
      'the service ends the connection once the window has passed',
      WINDOW_MS + 3_000,
    );
    proxy.release();
    await eventually(() => events.includes('reconnected'), 'a new connection', 10_000);
    expect(events).toEqual(['reconnecting', 'reconnected']);
    expect(client.connectionId).not.toBe(connectionId);
    const after: unknown[] = [];
    client.on('newMessage', (n: unknown) => after.push(n));
    await sendTo(user, 99);
    await eventually(() => after.includes(99), 'a message on the new connection');
  });

  it('closes a client that dropped without stateful reconnect at once, as before', async () => {
    const { client, events } = await connect('plain-user', false);
    const connectionId = client.connectionId;
    proxy.cut();
    await eventually(
      () =>
        calls.some((call) => call.event === 'disconnected' && call.connectionId === connectionId),
      'disconnected upstream without waiting for a window',
      WINDOW_MS - 500,
    );
    await eventually(() => events.includes('reconnected'), 'automatic reconnect');
  });

  describe('on the wire', () => {
    /** Negotiates with stateful reconnect and opens a version 2 JSON socket to the emulator. */
    async function rawConnect(user: string) {
      const info = createConnectionInfo(cs(), { hub: 'chat', userId: user });
      const negotiated = (await (
        await fetch(
          `${info.url.replace('/client/?', '/client/negotiate?')}&negotiateVersion=1&useStatefulReconnect=true`,
          { method: 'POST', headers: { Authorization: `Bearer ${info.accessToken}` } },
        )
      ).json()) as { connectionToken: string };
      const { socket, inbox } = await open(user, negotiated.connectionToken);
      socket.send(`{"protocol":"json","version":2}${RS}`);
      await eventually(() => inbox.length > 0, 'the handshake answer');
      expect(inbox.shift()).toEqual({});
      return { socket, inbox, token: negotiated.connectionToken };
    }

    /**
     * A socket for connection `token`, collecting what arrives from the first frame on: the
     * Sequence of a reconnect can come in the same packet as the upgrade's answer.
     */
    function open(
      user: string,
      token: string,
    ): Promise<{ socket: WebSocket; inbox: Record<string, unknown>[] }> {
      const info = createConnectionInfo(cs(), { hub: 'chat', userId: user });
      const url = `${info.url.replace('http', 'ws')}&id=${token}&access_token=${info.accessToken}`;
      const inbox: Record<string, unknown>[] = [];
      return new Promise((resolve, reject) => {
        const socket = new WebSocket(url);
        socket.on('message', (data: Buffer) => {
          for (const record of data.toString().split(RS).filter(Boolean))
            inbox.push(JSON.parse(record) as Record<string, unknown>);
        });
        socket.on('open', () => resolve({ socket, inbox }));
        socket.on('unexpected-response', (_req, res) =>
          reject(new Error(`upgrade refused: ${res.statusCode}`)),
        );
        socket.on('error', reject);
      });
    }

    const drop = (socket: WebSocket) =>
      new Promise<void>((resolve) => {
        socket.on('close', () => resolve());
        socket.terminate();
      });

    it('acknowledges what the client sent, within a second or so', async () => {
      const { socket, inbox } = await rawConnect('acker');
      socket.send(`{"type":1,"target":"note","arguments":["a"]}${RS}`);
      socket.send(`{"type":1,"target":"note","arguments":["b"]}${RS}`);
      await eventually(() => inbox.some((m) => m.type === 8), 'an Ack', 2_500);
      expect(inbox.find((m) => m.type === 8)).toEqual({ type: 8, sequenceId: 2 });
      socket.close();
    });

    it('replays after its Sequence, and skips what the client replays twice', async () => {
      const user = 'replayer';
      const { socket, inbox, token } = await rawConnect(user);
      socket.send(`{"type":1,"target":"once","arguments":[1]}${RS}`);
      await sendTo(user, 1);
      await eventually(() => inbox.some((m) => m.type === 1), 'message 1');
      await drop(socket);
      await sendTo(user, 2);

      const { socket: again, inbox: replayed } = await open(user, token);
      await eventually(() => replayed.length >= 3, 'Sequence and two messages');
      // Nothing was acknowledged: both messages come again, after the Sequence naming the first.
      expect(replayed.slice(0, 3)).toEqual([
        { type: 9, sequenceId: 1 },
        { type: 1, target: 'newMessage', arguments: [1] },
        { type: 1, target: 'newMessage', arguments: [2] },
      ]);
      // Frames before the client's Sequence are skipped; then invocation 1 again is a duplicate.
      again.send(`{"type":1,"target":"once","arguments":["before sequence"]}${RS}`);
      again.send(`{"type":9,"sequenceId":1}${RS}`);
      again.send(`{"type":1,"target":"once","arguments":[1]}${RS}`);
      again.send(`{"type":1,"target":"once","arguments":[2]}${RS}`);
      await eventually(
        () => calls.filter((call) => call.event === 'once').length >= 2,
        'the new invocation',
      );
      again.send(`{"type":1,"target":"marker","arguments":[]}${RS}`);
      await eventually(() => calls.some((call) => call.event === 'marker'), 'the marker');
      expect(
        calls
          .filter((call) => call.event === 'once')
          .map((call) => (call.body as { arguments: unknown[] }).arguments[0]),
      ).toEqual([1, 2]);
      again.close();
    });

    it('lets only the same user take a connection up', async () => {
      const { socket, token } = await rawConnect('owner');
      await drop(socket);
      await expect(open('intruder', token)).rejects.toThrow('upgrade refused: 404');
      const { socket: back, inbox } = await open('owner', token);
      await eventually(() => inbox.length > 0, 'the Sequence');
      expect(inbox[0]).toEqual({ type: 9, sequenceId: 1 });
      back.close();
    });

    it('closes, allowing reconnect, a client that lets the replay buffer overflow', async () => {
      const user = 'slow-acker';
      const { socket, inbox } = await rawConnect(user);
      const big = 'x'.repeat(1_500);
      for (let n = 0; n < 4; n += 1)
        await rest('POST', `/api/v1/hubs/chat/users/${user}`, {
          target: 'newMessage',
          arguments: [big],
        });
      await eventually(() => inbox.some((m) => m.type === 7), 'a Close');
      expect(inbox.find((m) => m.type === 7)).toEqual({
        type: 7,
        error: 'The client did not acknowledge messages in time.',
        allowReconnect: true,
      });
      socket.close();
    });

    it('closes a connection whose Sequence claims more than it received', async () => {
      const { socket, inbox, token } = await rawConnect('liar');
      await drop(socket);
      const { socket: again, inbox: replayed } = await open('liar', token);
      again.send(`{"type":9,"sequenceId":5}${RS}`);
      await eventually(() => replayed.some((m) => m.type === 7), 'a Close');
      expect(replayed.find((m) => m.type === 7)?.error).toMatch(/Sequence ID 5 is greater/);
      expect(inbox).toEqual([]);
    });

    it('keeps refusing a second socket for a connection without stateful reconnect (409)', async () => {
      const info = createConnectionInfo(cs(), { hub: 'chat', userId: 'plain' });
      const negotiated = (await (
        await fetch(`${info.url.replace('/client/?', '/client/negotiate?')}&negotiateVersion=1`, {
          method: 'POST',
          headers: { Authorization: `Bearer ${info.accessToken}` },
        })
      ).json()) as { connectionToken: string };
      const { socket: first } = await open('plain', negotiated.connectionToken);
      first.send(`{"protocol":"json","version":2}${RS}`);
      await expect(open('plain', negotiated.connectionToken)).rejects.toThrow(
        'upgrade refused: 409',
      );
      first.close();
    });
  });
});
