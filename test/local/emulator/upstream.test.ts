import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { eventually } from '../../support/eventually';
import { HubConnectionBuilder, LogLevel } from '@microsoft/signalr';
import { startEmulator, type SignalREmulator } from '../../../local/emulator';
import { MAX_PENDING_PER_CONNECTION } from '../../../local/emulator/Upstream';
import { DEVELOPMENT_CONNECTION_STRING } from '../../../local/signalr/constants';
import { closeAll, startEmulatorFor, startUpstreamApp } from './support';
import { parseConnectionString } from '../../../lib/signalr/ConnectionString';
import { createConnectionInfo } from '../../../lib/signalr/tokens';
import { hubTarget, openClient } from '../../../local/clients/hubClients';

/**
 * The emulator's upstream (issue 17, 18): names travel as UTF-8 header bytes; an invocation's
 * answer reaches the client as the upstream wrote it; one client invoking flat out makes a
 * bounded number of calls, and none after it left.
 */
jest.setTimeout(60_000);

interface Received {
  readonly event: string;
  readonly userId: string | undefined;
  readonly claims: string | undefined;
}

describe('emulator upstream', () => {
  let emulator: SignalREmulator;
  let app: Server;
  /** Upstream calls in the order they arrived. */
  const received: Received[] = [];
  /** The path of every upstream call. */
  const paths: string[] = [];
  /** The app's URL for a path (its upstream template without `/{event}`). */
  let urlOf: (path: string) => string;
  /** How the fake app answers an invocation; set per test. */
  let answer: (req: IncomingMessage, res: ServerResponse, body: string) => void;

  beforeAll(async () => {
    const upstream = await startUpstreamApp((req, res, body) => {
      paths.push(req.url ?? '');
      const userId = req.headers['x-asrs-user-id'] as string | undefined;
      const claims = req.headers['x-asrs-user-claims'] as string | undefined;
      received.push({
        claims: claims === undefined ? undefined : Buffer.from(claims, 'latin1').toString('utf8'),
        event: req.headers['x-asrs-event'] as string,
        // Header bytes, read as UTF-8 (the encoding the app's host reads).
        userId: userId === undefined ? undefined : Buffer.from(userId, 'latin1').toString('utf8'),
      });
      if (req.headers['x-asrs-category'] === 'messages') answer(req, res, body.toString());
      else res.writeHead(200).end();
    });
    app = upstream.app;
    urlOf = (path) => upstream.urlTemplate.replace('/{event}', path);
    emulator = await startEmulatorFor(upstream.urlTemplate);
  });

  afterAll(() => closeAll([], emulator, app));

  const connect = (user: string, through = emulator) => {
    const cs = parseConnectionString(through.connectionString);
    const info = createConnectionInfo(cs, { hub: 'chat', userId: user });
    return new HubConnectionBuilder()
      .withUrl(info.url, { accessTokenFactory: () => info.accessToken })
      .configureLogging(LogLevel.None)
      .build();
  };

  it('sends a user id outside Latin-1 as its UTF-8 bytes', async () => {
    const client = connect('王芳 🦊');
    await client.start();
    await client.stop();
    await eventually(
      () => received.some((r) => r.event === 'disconnected' && r.userId === '王芳 🦊'),
      'the disconnected call of 王芳 🦊',
    );
    const users = received.filter((r) => r.event === 'connected').map((r) => r.userId);
    expect(users).toContain('王芳 🦊');
  });

  it("lists the client token's own claims in X-ASRS-User-Claims, as the binding put them there", async () => {
    const cs = parseConnectionString(emulator.connectionString);
    const info = createConnectionInfo(cs, {
      hub: 'chat',
      userId: 'claimant',
      claims: { name: '王芳', roles: ['reader', 'writer'], 'asrs.u.iss': 'https://idp.example' },
    });
    const client = new HubConnectionBuilder()
      .withUrl(info.url, { accessTokenFactory: () => info.accessToken })
      .configureLogging(LogLevel.None)
      .build();
    await client.start();
    await client.stop();
    await eventually(
      () => received.some((r) => r.event === 'connected' && r.userId === 'claimant'),
      'the connected call of claimant',
    );
    expect(received.find((r) => r.event === 'connected' && r.userId === 'claimant')?.claims).toBe(
      'name: 王芳, roles: reader, roles: writer, iss: https://idp.example, asrs.s.uid: claimant',
    );
  });

  it('hands invoke() the completion the app wrote, byte for byte, and an error for a failed call', async () => {
    answer = (_req, res, body) => {
      const { invocationId, arguments: args } = JSON.parse(body) as {
        invocationId: string;
        arguments: unknown[];
      };
      if (args[0] === 'fail') {
        res.writeHead(500).end();
        return;
      }
      // What the Functions extension answers: the completion message's bytes.
      const completion = `{"type":3,"invocationId":"${invocationId}","result":{"echo":${JSON.stringify(args[0])}}}\u001e`;
      res.writeHead(200, { 'Content-Type': 'application/json' }).end(completion);
    };
    const client = connect('alice');
    await client.start();
    try {
      await expect(client.invoke('echo', 'hi')).resolves.toEqual({ echo: 'hi' });
      await expect(client.invoke('echo', 'fail')).rejects.toThrow(
        'Invocation failed, status code 500',
      );
    } finally {
      await client.stop();
    }
  });

  it('bounds the calls of one client invoking flat out, closing it, and makes none after it left', async () => {
    // A slow app: each invocation answered after 20 ms.
    answer = (_req, res) => void setTimeout(() => res.writeHead(204).end(), 20);
    const cs = parseConnectionString(emulator.connectionString);
    const target = await hubTarget(createConnectionInfo(cs, { hub: 'chat', userId: 'flooder' }));
    const frames: string[] = [];
    const socket = await openClient(target, (frame) => frames.push(frame));
    const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    const frame = '{"type":1,"target":"spam","arguments":[1]}\u001e';
    const invocations = 100_000;
    const sentBefore = received.length;
    const heapBefore = process.memoryUsage().heapUsed;
    for (let i = 0; i < invocations; i++) socket.send(frame);
    await closed;
    expect(frames.join('')).toContain('Too many invocations are waiting for the upstream');
    // The disconnected call runs last in the connection's queue: once it has arrived, nothing
    // of this client is queued any more, and no invocation may come after it.
    await eventually(
      () => received.some((r) => r.event === 'disconnected' && r.userId === 'flooder'),
      'the disconnected call of the flooder',
    );
    const calls = received.slice(sentBefore);
    const leftAt = calls.findIndex((r) => r.event === 'disconnected' && r.userId === 'flooder');
    // At most the one in flight when it closed; the rest were dropped.
    expect(calls.filter((r) => r.event === 'spam').length).toBeLessThanOrEqual(2);
    expect(calls.slice(leftAt + 1).filter((r) => r.event === 'spam')).toEqual([]);
    expect(emulator.upstreamPending()).toBe(0);
    expect(MAX_PENDING_PER_CONNECTION).toBe(32);
    expect(process.memoryUsage().heapUsed - heapBefore).toBeLessThan(64 * 1024 * 1024);
  });

  it('calls only what a template matches, the first match winning, as Azure does', async () => {
    answer = (_req, res) => void res.writeHead(200).end();
    const listed = await startEmulator({
      connectionString: DEVELOPMENT_CONNECTION_STRING,
      port: 0,
      logLevel: 'silent',
      upstreamUrlTemplate: [
        {
          urlTemplate: urlOf('/first/{event}'),
          eventPattern: 'connected, typing',
        },
        { urlTemplate: urlOf('/never/{event}'), eventPattern: 'connected' },
      ],
    });
    try {
      const client = connect('only-listed', listed);
      await client.start();
      await client.send('unlisted', 'x');
      await client.send('typing', 'general');
      await eventually(
        () => received.some((r) => r.userId === 'only-listed' && r.event === 'typing'),
        'the typing call',
      );
      await client.stop();
      // The disconnect and the unlisted method match no template: never sent. Waiting for what
      // would come after them: a last connect of another user through the same list.
      const other = connect('marker', listed);
      await other.start();
      await eventually(
        () => received.some((r) => r.userId === 'marker') && listed.upstreamPending() === 0,
        "the marker's connect, with no call left",
      );
      await other.stop();
      const events = received.filter((r) => r.userId === 'only-listed').map((r) => r.event);
      expect(events).toEqual(['connected', 'typing']);
      expect(paths.filter((path) => path.startsWith('/never/'))).toEqual([]);
    } finally {
      await listed.close();
    }
  });

  it('drops a client stream invocation, as Azure does in serverless mode, and keeps the connection', async () => {
    answer = (_req, res, body) => {
      const { invocationId } = JSON.parse(body) as { invocationId: string };
      res
        .writeHead(200, { 'Content-Type': 'application/json' })
        .end(`{"type":3,"invocationId":"${invocationId}","result":"pong"}\u001e`);
    };
    const client = connect('streamer');
    await client.start();
    try {
      client
        .stream('counter', 3)
        .subscribe({ next: () => undefined, error: () => undefined, complete: () => undefined });
      // A plain invocation after it: once it is answered, the stream invocation has passed.
      await expect(client.invoke('ping')).resolves.toBe('pong');
      const events = received.filter((r) => r.userId === 'streamer').map((r) => r.event);
      expect(events).toEqual(['connected', 'ping']);
      expect(client.state).toBe('Connected');
    } finally {
      await client.stop();
    }
  });
});
