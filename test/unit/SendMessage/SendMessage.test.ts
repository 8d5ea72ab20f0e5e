import { MemoryRoomStore } from '../../../local/storage/MemoryRoomStore';
import { MemoryNameRegistry } from '../../../lib/storage/NameRegistry';
import { HubMethod } from '../../../lib/hub';
import { roomGroup } from '../../../lib/rooms';
import { createSendMessage } from '../../../SendMessage/createSendMessage';
import type { ChatMessage } from '../../../lib/ChatMessage';
import { unavailable } from '../../../lib/HttpError';
import { DEFAULT_SEND_LIMIT } from '../../../lib/settings';
import { MemoryHistoryStore } from '../../../local/storage/MemoryHistoryStore';
import { BAD_INPUT_CASES } from '../../support/badInput';
import { invokeFunction, makeRequest } from '../../support/invokeFunction';

const MESSAGE_ID = /^\d{25}$/;

let history: MemoryHistoryStore;
let rooms: MemoryRoomStore;
let now = 0;
let sendMessage: ReturnType<typeof createSendMessage>;

async function send(rawBody: string | undefined, principal: string | null = 'alice') {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (principal !== null) headers['X-MS-CLIENT-PRINCIPAL-NAME'] = principal;
  const { response, returned } = await invokeFunction(
    sendMessage,
    makeRequest({ headers, rawBody }),
  );
  return {
    res: response,
    returned,
  };
}

describe('SendMessage', () => {
  beforeEach(() => {
    now = 1_000_000;
    // A limit no row here reaches, except the tests of the limit itself.
    history = new MemoryHistoryStore({ burst: 1_000, perMinute: 60 }, () => now);
    rooms = new MemoryRoomStore();
    sendMessage = createSendMessage({ history, rooms, names: new MemoryNameRegistry() });
  });

  describe('in a room', () => {
    it("sends to the room's group from a member, the room on the message and in its history", async () => {
      await rooms.join('alice', 'Ngọc Ánh 🎉');
      const { res, returned } = await send(
        JSON.stringify({ text: 'xin chào', room: 'Ngọc Ánh 🎉' }),
      );
      expect(res.status).toBe(202);
      const message = res.body as ChatMessage;
      expect(message).toMatchObject({ room: 'Ngọc Ánh 🎉', isPrivate: false, sender: 'alice' });
      expect(returned).toEqual([
        { target: HubMethod.NewMessage, arguments: [message], groupName: roomGroup('Ngọc Ánh 🎉') },
      ]);
      const inRoom = await history.list('alice', { limit: 50, room: 'Ngọc Ánh 🎉' });
      expect(inRoom.messages).toEqual([message]);
      expect((await history.list('alice', { limit: 50 })).messages).toEqual([]);
    });

    it('refuses a non-member with 403 NotAMember: nothing stored, nothing sent', async () => {
      const { res, returned } = await send(JSON.stringify({ text: 'let me in', room: 'secret' }));
      expect(res.status).toBe(403);
      expect((res.body as { code: string }).code).toBe('NotAMember');
      expect(returned).toBeUndefined();
      expect((await history.list('alice', { limit: 50, room: 'secret' })).messages).toEqual([]);
    });

    it.each([
      [{ text: 'x', room: '..' }, 'InvalidRoom'],
      [{ text: 'x', room: 42 }, 'InvalidRoom'],
      [{ text: 'x', room: 'news', recipient: 'bob' }, 'RoomWithRecipient'],
    ])('refuses %j with 400 %s', async (body, code) => {
      const { res, returned } = await send(JSON.stringify(body));
      expect([res.status, (res.body as { code: string }).code]).toEqual([400, code]);
      expect(returned).toBeUndefined();
    });
  });

  it('broadcasts a public message with the signed-in sender and answers 202 with it', async () => {
    const { res, returned } = await send(JSON.stringify({ text: '  hello world  ' }));
    expect(res.status).toBe(202);
    expect(res.headers['Content-Type']).toBe('application/json');
    const message = res.body as ChatMessage;
    expect(message).toEqual({
      id: expect.stringMatching(MESSAGE_ID),
      sender: 'alice',
      text: 'hello world',
      timestamp: expect.any(String),
      isPrivate: false,
      room: 'general',
    });
    expect(new Date(message.timestamp).toISOString()).toBe(message.timestamp);
    expect(returned).toEqual([{ target: HubMethod.NewMessage, arguments: [message] }]);
  });

  it('accepts the seed page body and ignores its sender field', async () => {
    const { res, returned } = await send(
      '{"recipient": null, "sender": "", "text": "from the tutorial"}',
    );
    expect(res.status).toBe(202);
    expect(returned).toEqual([
      {
        target: HubMethod.NewMessage,
        arguments: [
          expect.objectContaining({ sender: 'alice', text: 'from the tutorial', isPrivate: false }),
        ],
      },
    ]);
  });

  it('never takes the sender from the body', async () => {
    const { res } = await send(JSON.stringify({ text: 'hi', sender: 'mallory' }));
    expect((res.body as ChatMessage).sender).toBe('alice');
  });

  it('drops unknown fields instead of forwarding them', async () => {
    const { res, returned } = await send(
      JSON.stringify({ text: 'hi', isPrivate: true, id: 'x', admin: true, nested: { a: [1] } }),
    );
    expect(Object.keys(res.body as object).sort()).toEqual([
      'id',
      'isPrivate',
      'room',
      'sender',
      'text',
      'timestamp',
    ]);
    expect((res.body as ChatMessage).id).not.toBe('x');
    expect((returned as { arguments: unknown[] }[])[0].arguments[0]).toEqual(res.body);
  });

  it('sends a private message to the recipient and to the sender', async () => {
    const { res, returned } = await send(JSON.stringify({ text: 'psst', recipient: 'bob' }));
    const message = res.body as ChatMessage;
    expect(message).toEqual(
      expect.objectContaining({ sender: 'alice', recipient: 'bob', isPrivate: true, text: 'psst' }),
    );
    expect(returned).toEqual([
      { target: HubMethod.NewMessage, arguments: [message], userId: 'bob' },
      { target: HubMethod.NewMessage, arguments: [message], userId: 'alice' },
    ]);
  });

  it('sends once when someone writes privately to themselves', async () => {
    const { returned } = await send(JSON.stringify({ text: 'note to self', recipient: 'alice' }));
    expect(returned).toEqual([
      {
        target: HubMethod.NewMessage,
        arguments: [expect.objectContaining({ recipient: 'alice' })],
        userId: 'alice',
      },
    ]);
  });

  it.each([
    ['null', null],
    ['an empty string', ''],
    ['absent', undefined],
  ])('broadcasts when recipient is %s', async (_label, recipient) => {
    const { returned } = await send(JSON.stringify({ text: 'hi', recipient }));
    expect(returned).toEqual([
      { target: HubMethod.NewMessage, arguments: [expect.objectContaining({ isPrivate: false })] },
    ]);
  });

  it.each([
    ['emoji', '👋🏽 hi 🎉'],
    ['right-to-left text', 'שלום עולם مرحبا'],
    ['combining marks and CJK', 'e\u0301 漢字 ｶﾀｶﾅ'],
    ['a multi-line message', 'line one\nline two\tand a tab'],
  ])('keeps %s intact', async (_label, text) => {
    const { res } = await send(JSON.stringify({ text }));
    expect((res.body as ChatMessage).text).toBe(text);
  });

  it('accepts nesting up to 32 levels in ignored fields, and brackets inside strings', async () => {
    const nested = `{"text":"[[[{{{ not nesting","x":${'['.repeat(31)}${']'.repeat(31)}}`;
    const { res } = await send(nested);
    expect(res.status).toBe(202);
    expect((res.body as ChatMessage).text).toBe('[[[{{{ not nesting');
  });

  it('counts characters, not UTF-16 units: 2,000 emoji are allowed', async () => {
    const { res } = await send(JSON.stringify({ text: '😀'.repeat(2000) }));
    expect(res.status).toBe(202);
  });

  it('answers 401 and sends nothing without a signed-in principal', async () => {
    for (const principal of [null, '']) {
      const { res, returned } = await send(JSON.stringify({ text: 'hi' }), principal);
      expect(res.status).toBe(401);
      expect(res.body).toEqual({
        error: 'Sign in first: this request carries no signed-in user.',
        code: 'NotSignedIn',
      });
      expect(returned).toBeUndefined();
    }
  });

  it.each<readonly [string, string | undefined, number, string, string]>([
    ...BAD_INPUT_CASES,
    [
      'no body',
      undefined,
      400,
      'EmptyBody',
      'The request body is empty; send a JSON object like {"text": "hello"}.',
    ],
    [
      'invalid UTF-8 (decoded to U+FFFD)',
      '{"text":"a\uFFFDb"}',
      400,
      'InvalidUtf8',
      '"text" contains bytes that are not valid UTF-8; send the body encoded as UTF-8.',
    ],
  ])('answers %s with %p and sends nothing', async (_label, rawBody, status, code, error) => {
    const { res, returned } = await send(rawBody);
    expect(res.status).toBe(status);
    expect(res.headers['Content-Type']).toBe('application/json');
    expect(res.body).toEqual({ error, code });
    expect(returned).toBeUndefined();
    expect((await history.list('alice', { limit: 50 })).messages).toEqual([]);
  });

  describe('send limit', () => {
    beforeEach(() => {
      history = new MemoryHistoryStore(DEFAULT_SEND_LIMIT, () => now);
      sendMessage = createSendMessage({
        history,
        rooms: new MemoryRoomStore(),
        names: new MemoryNameRegistry(),
      });
    });

    it('answers 429 with Retry-After past the burst, stores and sends nothing, and lets the next through once a token is back', async () => {
      for (let i = 0; i < DEFAULT_SEND_LIMIT.burst; i++)
        expect((await send(JSON.stringify({ text: `quick ${i}` }))).res.status).toBe(202);
      const { res, returned } = await send(JSON.stringify({ text: 'one too many' }));
      expect(res.status).toBe(429);
      expect(res.headers['Retry-After']).toBe('1');
      expect(res.body).toEqual({
        error:
          'You are sending faster than 60 messages a minute (10 at once); this one was not sent. Send it again in 1 s.',
        code: 'SendLimit',
      });
      expect(returned).toBeUndefined();
      const stored = (await history.list('alice', { limit: 50 })).messages.map((m) => m.text);
      expect(stored).not.toContain('one too many');
      now += 1_000;
      expect((await send(JSON.stringify({ text: 'one too many' }))).res.status).toBe(202);
    });

    it('limits each sender alone', async () => {
      for (let i = 0; i < DEFAULT_SEND_LIMIT.burst + 1; i++)
        await send(JSON.stringify({ text: `flood ${i}` }), 'mallory');
      expect((await send(JSON.stringify({ text: 'hi' }), 'bob')).res.status).toBe(202);
    });

    it('takes no token for a retry of a message already accepted (same clientId)', async () => {
      const first = await send(JSON.stringify({ text: 'once', clientId: 'c-1' }));
      for (let i = 1; i < DEFAULT_SEND_LIMIT.burst; i++)
        await send(JSON.stringify({ text: `more ${i}` }));
      const retry = await send(JSON.stringify({ text: 'once', clientId: 'c-1' }));
      expect(retry.res.status).toBe(202);
      expect(retry.res.body).toEqual(first.res.body);
    });

    it('is off with ChatSendsPerMinute=0', async () => {
      history = new MemoryHistoryStore({ burst: 1, perMinute: 0 }, () => now);
      sendMessage = createSendMessage({
        history,
        rooms: new MemoryRoomStore(),
        names: new MemoryNameRegistry(),
      });
      for (let i = 0; i < 20; i++)
        expect((await send(JSON.stringify({ text: `${i}` }))).res.status).toBe(202);
    });
  });

  it('answers 503 with Retry-After naming history when storage is down, and sends nothing', async () => {
    history.fail = unavailable('history', new Error('connect ECONNREFUSED'));
    const { res, returned } = await send(JSON.stringify({ text: 'lost?' }));
    expect(res.status).toBe(503);
    expect(res.headers['Retry-After']).toBe('5');
    expect(res.body).toEqual({
      error:
        'Message history (Table Storage) is unavailable right now; nothing was done. Try again in 5 seconds.',
      code: 'HistoryUnavailable',
    });
    expect(returned).toBeUndefined();
  });

  it('lets an unexpected fault propagate so the host answers 500', async () => {
    const req = {
      headers: { 'x-ms-client-principal-name': 'alice', 'content-type': 'application/json' },
      get rawBody(): string {
        throw new Error('boom');
      },
    };
    await expect(invokeFunction(sendMessage, req as never)).rejects.toThrow('boom');
  });
});
