import { HubConnectionBuilder, LogLevel, type HubConnection } from '@microsoft/signalr';
import { HubMethod } from '../../lib/hub';
import { addConnection } from '../../lib/presenceStore';
import type { Stack } from '../../local/stack';
import { upstreamSignature } from '../../local/emulator/Upstream';
import { parseConnectionString } from '../../local/signalr/ConnectionString';
import { signIn } from '../reliability/support';
import { startTestStack } from '../support/testStack';

/**
 * Who is online: the SignalR upstream calls OnConnected/OnDisconnected through the front door's
 * excluded path; userOnline and userOffline go out once per user, not per tab.
 */
interface Event {
  readonly kind: 'online' | 'offline';
  readonly name: string;
}

async function tab(api: string, cookie: string, events?: Event[]): Promise<HubConnection> {
  const connection = new HubConnectionBuilder()
    .withUrl(`${api}/api`, { headers: { Cookie: cookie } })
    .configureLogging(LogLevel.None)
    .build();
  if (events !== undefined) {
    connection.on(HubMethod.UserOnline, ({ name }: { name: string }) =>
      events.push({ kind: 'online', name }),
    );
    connection.on(HubMethod.UserOffline, ({ name }: { name: string }) =>
      events.push({ kind: 'offline', name }),
    );
  }
  await connection.start();
  return connection;
}

async function until(
  check: () => boolean | Promise<boolean>,
  what: string,
  timeoutMs = 5000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}.`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

describe('presence', () => {
  let stack: Stack;
  let cookies: Record<string, string>;
  const users = async () =>
    (
      (await (
        await fetch(`${stack.urls.api}/api/users`, { headers: { Cookie: cookies.bob } })
      ).json()) as {
        users: { name: string; connections: number }[];
      }
    ).users;

  beforeAll(async () => {
    stack = await startTestStack();
    cookies = {};
    for (const name of ['alice', 'bob']) cookies[name] = await signIn(stack.urls.api, name);
  });

  afterAll(async () => {
    await stack?.close();
  });

  it('announces a user once for two tabs, and once when the last tab closes', async () => {
    const events: Event[] = [];
    const bob = await tab(stack.urls.api, cookies.bob, events);
    try {
      await until(async () => (await users()).some((u) => u.name === 'bob'), 'bob online');
      const first = await tab(stack.urls.api, cookies.alice);
      const second = await tab(stack.urls.api, cookies.alice);
      await until(
        async () => (await users()).some((u) => u.name === 'alice' && u.connections === 2),
        'two tabs',
      );
      expect(await users()).toEqual([
        { name: 'alice', connections: 2 },
        { name: 'bob', connections: 1 },
      ]);
      await first.stop();
      await until(
        async () => (await users()).some((u) => u.name === 'alice' && u.connections === 1),
        'one tab left',
      );
      await second.stop();
      await until(
        () => events.some((e) => e.kind === 'offline' && e.name === 'alice'),
        'userOffline',
      );
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(events.filter((e) => e.name === 'alice')).toEqual([
        { kind: 'online', name: 'alice' },
        { kind: 'offline', name: 'alice' },
      ]);
      expect((await users()).map((u) => u.name)).toEqual(['bob']);
    } finally {
      await bob.stop();
    }
  });

  it('sends a client invocation upstream (category messages) and answers with its completion', async () => {
    // No function handles chat/messages/echo: the webhook answers 404, which the service turns
    // into a completion error; the connection stays open (with upstream, invocations are allowed).
    const connection = await tab(stack.urls.api, cookies.alice);
    try {
      await expect(connection.invoke('echo', 'hi')).rejects.toThrow(
        'Invocation failed, status code 404',
      );
      expect(connection.state).toBe('Connected');
    } finally {
      await connection.stop();
    }
  });

  it('counts ten tabs connecting at once, and announces the user once', async () => {
    const events: Event[] = [];
    const bob = await tab(stack.urls.api, cookies.bob, events);
    const carol = await signIn(stack.urls.api, 'carol');
    const tabs = await Promise.all(Array.from({ length: 10 }, () => tab(stack.urls.api, carol)));
    try {
      await until(
        async () => (await users()).some((u) => u.name === 'carol' && u.connections === 10),
        'ten tabs counted',
        15_000,
      );
      expect(events.filter((e) => e.name === 'carol')).toEqual([{ kind: 'online', name: 'carol' }]);
    } finally {
      await Promise.all(tabs.map((connection) => connection.stop()));
      await until(
        () => events.some((e) => e.kind === 'offline' && e.name === 'carol'),
        'carol offline',
        15_000,
      );
      expect(events.filter((e) => e.name === 'carol')).toEqual([
        { kind: 'online', name: 'carol' },
        { kind: 'offline', name: 'carol' },
      ]);
      await bob.stop();
    }
  });

  it('answers 401 without a signed-in user', async () => {
    expect((await fetch(`${stack.urls.api}/api/users`)).status).toBe(401);
  });

  describe('the upstream webhook, through the front door', () => {
    const webhook = () => `${stack.urls.api}/runtime/webhooks/signalr`;
    const key = () => parseConnectionString(stack.connectionString).accessKey;
    const headers = (signature: string, event = 'connected') => ({
      'Content-Type': 'application/json',
      'X-ASRS-Connection-Id': 'forged-connection',
      'X-ASRS-Hub': 'chat',
      'X-ASRS-Category': 'connections',
      'X-ASRS-Event': event,
      'X-ASRS-User-Id': 'mallory',
      'X-ASRS-Signature': signature,
    });

    it.each([
      ['a bad signature', () => headers('sha256=00'), 401],
      [
        'a signature with another key',
        () => headers(upstreamSignature(['another-key'], 'forged-connection')),
        401,
      ],
      [
        'no function for the event',
        () => headers(upstreamSignature([key()], 'forged-connection'), 'joined'),
        404,
      ],
      [
        'a text/plain body',
        () => ({
          ...headers(upstreamSignature([key()], 'forged-connection')),
          'Content-Type': 'text/plain',
        }),
        415,
      ],
      [
        'no hub header',
        () => {
          const { 'X-ASRS-Hub': _hub, ...rest } = headers('x');
          return rest;
        },
        400,
      ],
    ])('refuses %s and changes nothing', async (_label, makeHeaders, status) => {
      const response = await fetch(webhook(), {
        method: 'POST',
        headers: makeHeaders(),
        body: '{"type":10}',
      });
      expect(response.status).toBe(status);
      expect((await users()).map((u) => u.name)).not.toContain('mallory');
    });
  });

  it('drops a connection whose disconnect never arrived, and says the user went offline', async () => {
    const events: Event[] = [];
    const bob = await tab(stack.urls.api, cookies.bob, events);
    try {
      // A connection recorded two minutes ago that the service has never heard of.
      expect(await addConnection('ghost', 'gone-connection', Date.now() - 120_000)).toBe(true);
      const listed = await users();
      expect(listed.map((u) => u.name)).not.toContain('ghost');
      await until(
        () => events.some((e) => e.kind === 'offline' && e.name === 'ghost'),
        'userOffline ghost',
      );
    } finally {
      await bob.stop();
    }
  });
});
