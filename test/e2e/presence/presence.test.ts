import { HubConnectionBuilder, LogLevel, type HubConnection } from '@microsoft/signalr';
import { eventually } from '../../support/eventually';
import { HubMethod } from '../../../lib/hub';
import { TablePresenceStore } from '../../../lib/storage/TablePresenceStore';
import { TableAccount } from '../../../lib/storage/tables';
import type { Stack } from '../../../local/stack';
import { upstreamSignature } from '../../../local/signalr/upstream';
import { parseConnectionString } from '../../../lib/signalr/ConnectionString';
import { signIn } from '../../support/chatClients';
import { startTestStack } from '../../support/testStack';
import { faults } from '../../support/faults';

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

/** Slower than GET /api/users's read limit refills (5 a second per user). */
const until = (check: () => boolean | Promise<boolean>, what: string, timeoutMs = 5000) =>
  eventually(check, what, timeoutMs, 200);

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
    stack = await startTestStack({ ownStorage: true });
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
      // A sentinel on the same channel, caused after everything alice's tabs caused: once
      // zoe's userOnline has arrived, a late or repeated event for alice would have too.
      const zoe = await tab(stack.urls.api, await signIn(stack.urls.api, 'zoe'));
      await until(() => events.some((e) => e.kind === 'online' && e.name === 'zoe'), 'zoe');
      await zoe.stop();
      expect(events.filter((e) => e.name === 'alice')).toEqual([
        { kind: 'online', name: 'alice' },
        { kind: 'offline', name: 'alice' },
      ]);
      await until(async () => !(await users()).some((u) => u.name === 'zoe'), 'zoe gone');
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
    const webhook = (code = stack.signalRExtensionKey!) =>
      `${stack.urls.api}/runtime/webhooks/signalr?code=${encodeURIComponent(code)}`;
    const key = () => parseConnectionString(stack.signalRConnectionString).accessKey;
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
      // SignalRTriggerDispatcher.TryGetDispatchingKey: GetValues throws on a missing header
      // (500, outside the executor's try); an empty one is a 400.
      [
        'no hub header',
        () => {
          const { 'X-ASRS-Hub': _hub, ...rest } = headers('x');
          return rest;
        },
        500,
      ],
      ['an empty hub header', () => ({ ...headers('x'), 'X-ASRS-Hub': '' }), 400],
    ])('refuses %s and changes nothing', async (_label, makeHeaders, status) => {
      const response = await fetch(webhook(), {
        method: 'POST',
        headers: makeHeaders(),
        body: '{"type":10}',
      });
      expect(response.status).toBe(status);
      expect((await users()).map((u) => u.name)).not.toContain('mallory');
    });

    it.each([
      ['no key', undefined],
      ['a wrong key', 'not-the-key'],
      ['the SignalR access key instead', 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789ABCDEFGH'],
    ])(
      'refuses a well-signed call with %s (401, signalr_extension system key)',
      async (_label, code) => {
        const url =
          code === undefined ? `${stack.urls.api}/runtime/webhooks/signalr` : webhook(code);
        const response = await fetch(url, {
          method: 'POST',
          headers: headers(upstreamSignature([key()], 'forged-connection')),
          body: '{"type":10}',
        });
        expect(response.status).toBe(401);
        expect((await users()).map((u) => u.name)).not.toContain('mallory');
      },
    );

    it('takes the key from x-functions-key too, the header winning over code', async () => {
      const signed = headers(upstreamSignature([key()], 'forged-connection'));
      const viaHeader = await fetch(`${stack.urls.api}/runtime/webhooks/signalr?code=wrong`, {
        method: 'POST',
        headers: { ...signed, 'x-functions-key': stack.signalRExtensionKey! },
        body: '{"type":10}',
      });
      // Accepted by the host; the connection is unknown to the service, so nothing is recorded.
      expect(viaHeader.status).toBe(200);
      const wrongHeader = await fetch(webhook(), {
        method: 'POST',
        headers: { ...signed, 'x-functions-key': 'wrong' },
        body: '{"type":10}',
      });
      expect(wrongHeader.status).toBe(401);
      expect((await users()).map((u) => u.name)).not.toContain('mallory');
    });
  });

  it('drops a connection whose disconnect never arrived, and says the user went offline', async () => {
    const events: Event[] = [];
    const bob = await tab(stack.urls.api, cookies.bob, events);
    try {
      // A connection recorded two minutes ago that the service has never heard of.
      const presence = new TablePresenceStore(
        new TableAccount(stack.storageConnectionString, 'presence'),
      );
      expect(await presence.add('ghost', 'gone-connection', Date.now() - 120_000)).toBe(true);
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

  describe('names, replays and faults (issue 17)', () => {
    const usersAs = async (cookie: string, query = '') => {
      const response = await fetch(`${stack.urls.api}/api/users${query}`, {
        headers: { Cookie: cookie },
      });
      return {
        status: response.status,
        users: response.ok
          ? ((await response.json()) as { users: { name: string }[] }).users.map((u) => u.name)
          : [],
      };
    };

    it.each(['Ольга', '王芳', 'Ngọc Ánh', '🦊 Fox', '50% off', '100%', "O'Brien"])(
      'lists %s online and announces them to everyone',
      async (name) => {
        const events: Event[] = [];
        const watcher = await tab(stack.urls.api, cookies.bob, events);
        const newcomer = await tab(stack.urls.api, await signIn(stack.urls.api, name));
        try {
          await until(
            () => events.some((e) => e.kind === 'online' && e.name === name),
            `userOnline ${name}`,
          );
          expect((await users()).map((u) => u.name)).toContain(name);
        } finally {
          await newcomer.stop();
          await until(
            () => events.some((e) => e.kind === 'offline' && e.name === name),
            `userOffline ${name}`,
          );
          await watcher.stop();
        }
      },
    );

    /** An upstream call signed with the service's key, as one captured on the wire would be. */
    const replay = (connectionId: string, userId: string, event: string, body: string) =>
      fetch(
        `${stack.urls.api}/runtime/webhooks/signalr?code=${encodeURIComponent(stack.signalRExtensionKey!)}`,
        {
          method: 'POST',
          headers: {
            'Content-Type': 'application/json',
            'X-ASRS-Connection-Id': connectionId,
            'X-ASRS-Hub': 'chat',
            'X-ASRS-Category': 'connections',
            'X-ASRS-Event': event,
            'X-ASRS-User-Id': userId,
            'X-ASRS-Signature': upstreamSignature(
              [parseConnectionString(stack.signalRConnectionString).accessKey],
              connectionId,
            ),
          },
          body,
        },
      );

    it('lists nobody for a replayed connected naming another user, nor for an unknown connection', async () => {
      const bob = await tab(stack.urls.api, cookies.bob);
      try {
        await until(async () => (await users()).some((u) => u.name === 'bob'), 'bob online');
        // bob's live connection, replayed as someone who never connected.
        expect(
          (await replay(bob.connectionId!, 'mallory', 'connected', '{"type":10}')).status,
        ).toBe(200);
        // A connection the service never had, for a user who is online.
        expect((await replay('no-such-connection', 'bob', 'connected', '{"type":10}')).status).toBe(
          200,
        );
        const listed = await users();
        expect(listed.map((u) => u.name)).not.toContain('mallory');
        expect(listed.find((u) => u.name === 'bob')?.connections).toBe(1);
      } finally {
        await bob.stop();
      }
    });

    it('keeps a connected user listed after a replayed disconnected for their live connection', async () => {
      const events: Event[] = [];
      const bob = await tab(stack.urls.api, cookies.bob, events);
      const alice = await tab(stack.urls.api, cookies.alice);
      try {
        await until(async () => (await users()).some((u) => u.name === 'alice'), 'alice online');
        expect(
          (await replay(alice.connectionId!, 'alice', 'disconnected', '{"Type":11}')).status,
        ).toBe(200);
        // A sweep checks connections marked by the replay; alice is still connected.
        expect((await users()).map((u) => u.name)).toContain('alice');
        expect((await users()).map((u) => u.name)).toContain('alice');
        expect(events.filter((e) => e.name === 'alice' && e.kind === 'offline')).toEqual([]);
      } finally {
        await alice.stop();
        await bob.stop();
      }
    });

    it('lists a user who connected while storage was down once storage is back and their page asks', async () => {
      const events: Event[] = [];
      const watcher = await tab(stack.urls.api, cookies.bob, events);
      const dora = await signIn(stack.urls.api, 'dora');
      await faults(stack).stopStorage();
      let doraTab: HubConnection | undefined;
      try {
        doraTab = await tab(stack.urls.api, dora);
        // OnConnected failed (the extension answers 403; the service keeps the connection).
        expect((await usersAs(dora, `?connectionId=${doraTab.connectionId}`)).status).toBe(503);
      } finally {
        await faults(stack).startStorage();
      }
      try {
        expect(doraTab.state).toBe('Connected');
        const afterwards = await usersAs(dora, `?connectionId=${doraTab.connectionId}`);
        expect(afterwards.status).toBe(200);
        expect(afterwards.users).toContain('dora');
        await until(
          () => events.some((e) => e.kind === 'online' && e.name === 'dora'),
          'userOnline dora',
        );
      } finally {
        await doraTab.stop();
        await until(async () => !(await users()).some((u) => u.name === 'dora'), 'dora gone');
        await watcher.stop();
      }
    });

    it('records nobody for a connection id the caller does not own', async () => {
      const bob = await tab(stack.urls.api, cookies.bob);
      try {
        const eve = await signIn(stack.urls.api, 'eve');
        const answer = await usersAs(eve, `?connectionId=${bob.connectionId}`);
        expect(answer.status).toBe(200);
        expect(answer.users).not.toContain('eve');
        expect((await usersAs(eve, '?connectionId=..%2f')).status).toBe(400);
      } finally {
        await bob.stop();
      }
    });

    it('still lists who is online when the SignalR Service is down and a stale row needs a check', async () => {
      const presence = new TablePresenceStore(
        new TableAccount(stack.storageConnectionString, 'presence'),
      );
      await presence.add('stale', 'stale-connection', Date.now() - 120_000);
      await faults(stack).stopSignalR();
      try {
        const answer = await usersAs(cookies.bob);
        expect(answer.status).toBe(200);
        expect(answer.users).toContain('stale');
      } finally {
        await faults(stack).startSignalR();
      }
      await until(async () => !(await users()).some((u) => u.name === 'stale'), 'stale swept');
    });
  });
});
