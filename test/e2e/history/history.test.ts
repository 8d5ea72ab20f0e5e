import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ChatMessage } from '../../../lib/ChatMessage';
import { DEFAULT_SEND_LIMIT } from '../../../lib/settings';
import { TableHistoryStore } from '../../../lib/storage/TableHistoryStore';
import { TableAccount } from '../../../lib/storage/tables';
import { newMessageId } from '../../../lib/messageIds';
import type { Stack } from '../../../local/stack';
import { Listener, postMessage, signIn } from '../../support/chatClients';
import { startTestStack } from '../../support/testStack';
import { faults } from '../../support/faults';

/**
 * History in Table Storage (Azurite) through the whole stack: stored before 202, read back by
 * GET /api/messages with only what the caller may see, idempotent retries, storage outages,
 * catch-up after a drop, and data that survives a restart.
 */
async function history(
  api: string,
  cookie: string | undefined,
  query = '',
): Promise<{ status: number; body: { messages?: ChatMessage[]; error?: string } }> {
  const response = await fetch(`${api}/api/messages${query}`, {
    headers: cookie === undefined ? {} : { Cookie: cookie },
  });
  return { status: response.status, body: (await response.json()) as never };
}

const texts = (messages: readonly ChatMessage[] | undefined) => (messages ?? []).map((m) => m.text);

describe('message history', () => {
  let stack: Stack;
  let alice: string;
  let bob: string;
  let carol: string;
  /**
   * A public message accepted now by another instance (its own store on the same account) whose
   * clock is 3 s behind ours; what it stored.
   */
  const saveFromSlowInstance = async (fields: Partial<ChatMessage>): Promise<ChatMessage> => {
    const late: ChatMessage = {
      id: newMessageId(Date.now() - 3_000),
      sender: 'dave',
      text: 'from a slow clock',
      timestamp: new Date(Date.now() - 3_000).toISOString(),
      isPrivate: false,
      ...fields,
    };
    await new TableHistoryStore(
      new TableAccount(stack.storageConnectionString, 'history'),
      DEFAULT_SEND_LIMIT,
    ).save(late);
    return late;
  };
  const send = (cookie: string, body: object) =>
    postMessage(stack.urls.api, cookie, JSON.stringify(body));

  beforeAll(async () => {
    // The catch-up test sends 200 messages from two users, faster than the send limit allows.
    stack = await startTestStack({ ownStorage: true, settings: { ChatSendsPerMinute: '0' } });
    [alice, bob, carol] = await Promise.all(
      ['alice', 'bob', 'carol'].map((name) => signIn(stack.urls.api, name)),
    );
    await send(alice, { text: 'public one' });
    await send(alice, { text: 'alice to bob', recipient: 'bob' });
    await send(bob, { text: 'bob to alice', recipient: 'alice' });
    await send(carol, { text: 'carol to herself', recipient: 'carol' });
    await send(bob, { text: 'public two' });
  });

  afterAll(async () => {
    await stack?.close();
  });

  it('answers the room and the caller’s own conversations, oldest first, as delivered live', async () => {
    const { status, body } = await history(stack.urls.api, alice);
    expect(status).toBe(200);
    expect(texts(body.messages)).toEqual([
      'public one',
      'alice to bob',
      'bob to alice',
      'public two',
    ]);
    expect(body.messages![1]).toEqual({
      id: expect.stringMatching(/^\d{25}$/),
      sender: 'alice',
      text: 'alice to bob',
      timestamp: expect.any(String),
      isPrivate: true,
      recipient: 'bob',
    });
  });

  it.each([
    ['', undefined],
    ['?limit=200', undefined],
    ['?after=0000000000000000000000000', undefined],
    ['?before=9999999999999999999999999', undefined],
  ])('never shows a third user anyone else’s private messages (query %j)', async (query) => {
    const { status, body } = await history(stack.urls.api, carol, query);
    expect(status).toBe(200);
    expect(texts(body.messages)).toEqual(['public one', 'carol to herself', 'public two']);
  });

  it('pages: limit for the latest, before for older ones, after for everything since', async () => {
    const latest = await history(stack.urls.api, bob, '?limit=2');
    expect(texts(latest.body.messages)).toEqual(['bob to alice', 'public two']);
    const older = await history(
      stack.urls.api,
      bob,
      `?limit=2&before=${latest.body.messages![0].id}`,
    );
    expect(texts(older.body.messages)).toEqual(['public one', 'alice to bob']);
    const first = older.body.messages![0];
    const since = await history(stack.urls.api, bob, `?after=${first.id}`);
    // Catch-up re-reads a margin before `after`; the page drops ids it already has.
    const newer = since.body.messages!.filter((m) => m.id > first.id);
    expect(texts(newer)).toEqual(['alice to bob', 'bob to alice', 'public two']);
  });

  it.each([
    ['?limit=0', 'InvalidLimit', '"limit" must be a whole number from 1 to 200, not "0".'],
    ['?limit=201', 'InvalidLimit', '"limit" must be a whole number from 1 to 200, not "201".'],
    ['?limit=ten', 'InvalidLimit', '"limit" must be a whole number from 1 to 200, not "ten".'],
    [
      '?before=abc',
      'InvalidMessageId',
      '"before" must be a message id (25 digits, as in a message\'s "id"), not "abc".',
    ],
    [
      "?after=0'%20or%20PartitionKey%20ne%20'",
      'InvalidMessageId',
      `"after" must be a message id (25 digits, as in a message's "id"), not "0' or PartitionKey ne '".`,
    ],
    [
      '?before=0000000000000000000000000&after=0000000000000000000000000',
      'BeforeAndAfter',
      'Send "before" or "after", not both.',
    ],
  ])('refuses %s with 400 and a clear error', async (query, code, error) => {
    expect(await history(stack.urls.api, alice, query)).toEqual({
      status: 400,
      body: { error, code },
    });
  });

  it('answers 401 without a signed-in user', async () => {
    expect((await history(stack.urls.api, undefined)).status).toBe(401);
  });

  it('keeps one message per sender and client id: a retry answers 202 with the stored one', async () => {
    const body = { text: 'sent twice', clientId: 'c-0001' };
    const first = await send(alice, body);
    const retry = await send(alice, { ...body, text: 'changed on retry' });
    expect(first.status).toBe(202);
    expect(retry.status).toBe(202);
    expect(retry.json).toEqual(first.json);
    const { body: all } = await history(stack.urls.api, alice, '?limit=200');
    expect(
      texts(all.messages).filter((text) => text.includes('twice') || text.includes('retry')),
    ).toEqual(['sent twice']);
    // Another sender may use the same client id.
    expect(((await send(bob, body)).json as ChatMessage).sender).toBe('bob');
  });

  it('refuses a malformed clientId with 400', async () => {
    const result = await send(alice, { text: 'x', clientId: 'has spaces' });
    expect(result.status).toBe(400);
  });

  it('answers 503 and sends nothing while storage is down, then works again', async () => {
    const listener = await Listener.connect(stack.urls.api, carol, 'carol');
    try {
      await faults(stack).stopStorage();
      const refused = await send(alice, { text: 'while storage is down' });
      expect(refused.status).toBe(503);
      expect(refused.json).toEqual({
        error:
          'Message history (Table Storage) is unavailable right now; nothing was done. Try again in 5 seconds.',
        code: 'HistoryUnavailable',
      });
      expect((await history(stack.urls.api, alice)).status).toBe(503);
      await faults(stack).startStorage();
      expect((await send(alice, { text: 'storage is back' })).status).toBe(202);
      await listener.waitForText('storage is back');
      expect(texts(listener.messages)).toEqual(['storage is back']);
    } finally {
      await listener.stop();
    }
  });

  it('shows a public message another instance stamped with a clock 3 s behind, in the latest and in catch-up', async () => {
    const before = await history(stack.urls.api, carol, '?limit=5');
    const newest = before.body.messages![before.body.messages!.length - 1];
    const late = await saveFromSlowInstance({ text: 'from a slow clock' });
    // Written without a room, as rows were before rooms: read back in general.
    const asRead = { ...late, room: 'general' };
    const latest = await history(stack.urls.api, carol, '?limit=5');
    expect(latest.body.messages).toContainEqual(asRead);
    const caughtUp = await history(stack.urls.api, carol, `?after=${newest.id}`);
    expect(caughtUp.body.messages).toContainEqual(asRead);
  });

  it('shows a room message another instance accepted with a slow clock, after this instance has read the room', async () => {
    const room = "50% Ngọc's 王芳 🦊";
    const path = `/api/rooms/${encodeURIComponent(room)}/join`;
    await fetch(`${stack.urls.api}${path}`, { method: 'POST', headers: { Cookie: carol } });
    await send(carol, { text: 'in the room', room });
    const query = `?limit=5&room=${encodeURIComponent(room)}`;
    // This instance now keeps the room's newest rows.
    const before = await history(stack.urls.api, carol, query);
    expect(texts(before.body.messages)).toEqual(['in the room']);
    const late = await saveFromSlowInstance({ text: 'in the room, from a slow clock', room });
    const latest = await history(stack.urls.api, carol, query);
    expect(latest.body.messages).toContainEqual(late);
    const caughtUp = await history(
      stack.urls.api,
      carol,
      `?after=${before.body.messages![0].id}&room=${encodeURIComponent(room)}`,
    );
    expect(caughtUp.body.messages).toContainEqual(late);
    // Nothing of the room is in general.
    expect(texts((await history(stack.urls.api, carol, '?limit=50')).body.messages)).not.toContain(
      'in the room',
    );
  });

  it('lets a client offline for a while catch up on all it missed, in order, none twice', async () => {
    const offline = await Listener.connect(stack.urls.api, carol, 'carol');
    await send(alice, { text: 'before the drop' });
    await offline.waitForText('before the drop');
    const lastSeen = offline.messages[offline.messages.length - 1];
    await offline.stop();
    const sent: string[] = [];
    for (let i = 0; i < 200; i++) {
      const text = `missed ${i}`;
      sent.push(text);
      expect((await send(i % 2 === 0 ? alice : bob, { text })).status).toBe(202);
    }
    const back = await Listener.connect(stack.urls.api, carol, 'carol');
    try {
      const { body } = await history(stack.urls.api, carol, `?after=${lastSeen.id}`);
      // As the page merges: keep ids after the last seen, drop any seen twice.
      const known = new Set(offline.messages.map((m) => m.id));
      const caughtUp = body.messages!.filter((m) => !known.has(m.id) && m.id > lastSeen.id);
      expect(texts(caughtUp)).toEqual(sent);
      expect(new Set(caughtUp.map((m) => m.id)).size).toBe(200);
    } finally {
      await back.stop();
    }
  }, 60_000);
});

describe('history across restarts', () => {
  it('survives a restart of the stack (Azurite keeps its data in a folder)', async () => {
    const location = mkdtempSync(join(tmpdir(), 'azurite-'));
    try {
      const first = await startTestStack({ storageLocation: location });
      const cookie = await signIn(first.urls.api, 'alice');
      const sent = await postMessage(first.urls.api, cookie, '{"text":"remember me"}');
      expect(sent.status).toBe(202);
      await first.close();
      const second = await startTestStack({ storageLocation: location });
      try {
        const again = await signIn(second.urls.api, 'alice');
        const { body } = await history(second.urls.api, again);
        expect(body.messages).toEqual([sent.json]);
      } finally {
        await second.close();
      }
    } finally {
      rmSync(location, { recursive: true, force: true });
    }
  });
});
