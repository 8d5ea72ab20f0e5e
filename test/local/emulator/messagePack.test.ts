import type { Server } from 'node:http';
import { decode, encode } from '@msgpack/msgpack';
import {
  HttpTransportType,
  HubConnectionBuilder,
  LogLevel,
  type HubConnection,
} from '@microsoft/signalr';
import { MessagePackHubProtocol } from '@microsoft/signalr-protocol-msgpack';
import WebSocket from 'ws';
import { parseConnectionString } from '../../../lib/signalr/ConnectionString';
import { createConnectionInfo } from '../../../lib/signalr/tokens';
import type { SignalREmulator } from '../../../local/emulator';
import { frameBinary } from '../../../local/emulator/messagePack';
import { callRest, closeAll, startEmulatorFor, startUpstreamApp } from './support';

/**
 * The MessagePack hub protocol with the official clients (@microsoft/signalr and
 * @microsoft/signalr-protocol-msgpack): a group of
 * JSON and MessagePack clients each get one send in their own protocol, a hub method goes upstream
 * as application/x-msgpack and the app's answer comes back as it is; bad frames close only
 * their connection.
 */
jest.setTimeout(30_000);

describe('MessagePack hub protocol', () => {
  let emulator: SignalREmulator;
  let app: Server;
  const bodies: { type: string; body: unknown }[] = [];
  const clients: HubConnection[] = [];
  const cs = () => parseConnectionString(emulator.connectionString);

  beforeAll(async () => {
    // The app's upstream: answers `echo` from a MessagePack client with a MessagePack completion.
    const upstream = await startUpstreamApp((req, res, body) => {
      if (req.headers['x-asrs-category'] !== 'messages') return void res.writeHead(200).end();
      const type = req.headers['content-type'] ?? '';
      const message = type === 'application/x-msgpack' ? decode(body) : JSON.parse(body.toString());
      bodies.push({ type, body: message });
      const [, , invocationId, , args] = message as [number, object, string, string, unknown[]];
      res
        .writeHead(200, { 'Content-Type': 'application/x-msgpack' })
        .end(frameBinary(encode([3, {}, invocationId, 3, args[0]])));
    });
    app = upstream.app;
    emulator = await startEmulatorFor(upstream.urlTemplate);
  });

  afterAll(() => closeAll(clients, emulator, app));

  const rest = (method: string, path: string, body?: unknown) => callRest(cs(), method, path, body);

  async function connect(user: string, transport: HttpTransportType, messagePack: boolean) {
    const info = createConnectionInfo(cs(), { hub: 'chat', userId: user });
    const builder = new HubConnectionBuilder()
      .withUrl(info.url, { accessTokenFactory: () => info.accessToken, transport })
      .configureLogging(LogLevel.None);
    if (messagePack) builder.withHubProtocol(new MessagePackHubProtocol());
    const client = builder.build();
    clients.push(client);
    await client.start();
    return client;
  }

  const next = (client: HubConnection) =>
    new Promise<unknown>((resolve) => {
      const handler = (value: unknown) => {
        client.off('newMessage', handler);
        resolve(value);
      };
      client.on('newMessage', handler);
    });

  // Broadcast, user, group and completion over each transport are in the matrix of
  // transports.test.ts; here, what the upstream receives.
  it('sends a hub method upstream as application/x-msgpack, in the protocol array shape', async () => {
    const client = await connect('Ngọc Ánh', HttpTransportType.WebSockets, true);
    await expect(client.invoke('echo', { said: '王芳' })).resolves.toEqual({ said: '王芳' });
    const sent = bodies.at(-1)!;
    expect(sent.type).toBe('application/x-msgpack');
    expect(sent.body).toEqual([1, {}, expect.any(String), 'echo', [{ said: '王芳' }]]);
  });

  it('gives a group of JSON and MessagePack clients one REST send, each in its own protocol', async () => {
    const json = await connect('json-member', HttpTransportType.WebSockets, false);
    const binary = await connect('msgpack-member', HttpTransportType.WebSockets, true);
    for (const user of ['json-member', 'msgpack-member'])
      await rest('PUT', `/api/v1/hubs/chat/groups/mixed/users/${user}`);
    const both = Promise.all([next(json), next(binary)]);
    await rest('POST', '/api/v1/hubs/chat/groups/mixed', {
      target: 'newMessage',
      arguments: [{ text: 'one send', n: 1.5, nested: { ok: true } }],
    });
    const [viaJson, viaBinary] = await both;
    expect(viaJson).toEqual({ text: 'one send', n: 1.5, nested: { ok: true } });
    expect(viaBinary).toEqual(viaJson);
  });

  describe('bad input', () => {
    /** A raw WebSocket through negotiate, for frames the official client would never send. */
    async function raw(
      handshake: string,
    ): Promise<{ ws: WebSocket; frames: Buffer[]; closed: Promise<number> }> {
      const info = createConnectionInfo(cs(), { hub: 'chat', userId: 'raw' });
      const negotiated = (await (
        await fetch(`${info.url.replace('/client/?', '/client/negotiate?')}&negotiateVersion=1`, {
          method: 'POST',
          headers: { Authorization: `Bearer ${info.accessToken}` },
        })
      ).json()) as { connectionToken: string };
      const ws = new WebSocket(
        `${info.url.replace('http', 'ws')}&id=${negotiated.connectionToken}&access_token=${info.accessToken}`,
      );
      const frames: Buffer[] = [];
      ws.on('message', (data: Buffer) => frames.push(data));
      const closed = new Promise<number>((resolve) => ws.on('close', (code) => resolve(code)));
      await new Promise((resolve) => ws.once('open', resolve));
      ws.send(handshake);
      return { ws, frames, closed };
    }

    it.each([
      ['{"protocol":"messagepack","version":3}\u001e', "version 3 of the 'messagepack' protocol"],
      ['{"protocol":"bson","version":1}\u001e', "this service speaks 'json' and 'messagepack'"],
    ])('refuses the handshake %j', async (handshake, words) => {
      const { frames, closed } = await raw(handshake);
      await closed;
      expect(frames.map(String).join('')).toContain(words);
    });

    it.each([
      ['bytes that are not MessagePack', Buffer.concat([Buffer.from([0x01]), Buffer.from([0xc1])])],
      ['a message longer than its frame', Buffer.from([0x10, 0x91, 0x06])],
      ['a text frame', 'not binary'],
    ])(
      'closes the connection for %s, with an error, and the service goes on',
      async (_label, frame) => {
        const { ws, frames, closed } = await raw('{"protocol":"messagepack","version":1}\u001e');
        await new Promise((resolve) => setTimeout(resolve, 50));
        ws.send(frame);
        await closed;
        const close = frames.at(-1)!;
        expect(decode(close.subarray(1))).toEqual([
          7,
          expect.stringMatching(/Invalid message|Text frames/),
          false,
        ]);
        const other = await connect('after-bad-frame', HttpTransportType.WebSockets, true);
        expect(other.state).toBe('Connected');
      },
    );
  });
});
