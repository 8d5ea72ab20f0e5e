import { MemoryRoomStore } from '../../../local/storage/MemoryRoomStore';
import { MemoryNameRegistry } from '../../../lib/storage/NameRegistry';
import type { ChatMessage } from '../../../lib/ChatMessage';
import { unavailable } from '../../../lib/HttpError';
import { ReadLimit } from '../../../lib/readLimit';
import type { HistoryQuery, HistoryStore } from '../../../lib/storage/HistoryStore';
import { MemoryHistoryStore } from '../../../local/storage/MemoryHistoryStore';
import { createGetMessages, HISTORY_READ_RATE } from '../../../GetMessages/createGetMessages';
import { invokeFunction, makeRequest } from '../../support/invokeFunction';

/** GET /api/messages on an in-memory store: who reads what, bad queries, the read limit. */
const message = (id: string, sender: string, recipient?: string): ChatMessage => ({
  id: id.padStart(25, '0'),
  sender,
  text: `${sender} ${id}`,
  timestamp: new Date(0).toISOString(),
  isPrivate: recipient !== undefined,
  ...(recipient !== undefined && { recipient }),
});

async function get(
  fn: ReturnType<typeof createGetMessages>,
  principal: string | undefined,
  query: Record<string, string> = {},
) {
  const req = makeRequest({
    method: 'GET',
    headers: principal === undefined ? {} : { 'x-ms-client-principal-name': principal },
  });
  Object.assign(req, { query });
  const { response } = await invokeFunction(fn, req);
  return response as {
    status: number;
    headers: Record<string, string>;
    body: { messages?: ChatMessage[]; error?: string; code?: string };
  };
}

describe('GetMessages', () => {
  let history: MemoryHistoryStore;
  beforeEach(async () => {
    history = new MemoryHistoryStore({ burst: 100, perMinute: 0 });
    await history.save(message('1', 'alice'));
    await history.save(message('2', 'alice', 'bob'));
    await history.save(message('3', 'carol', 'dave'));
  });

  it("reads a room's history to its members only (403 NotAMember), and general stays apart", async () => {
    const rooms = new MemoryRoomStore();
    await rooms.join('bob', 'news');
    await history.save({ ...message('4', 'bob'), room: 'news' });
    const fn = createGetMessages({ history, rooms, names: new MemoryNameRegistry() });
    const inRoom = await get(fn, 'bob', { room: 'news' });
    expect(inRoom.body.messages!.map((m) => m.text)).toEqual(['bob 4']);
    const outsider = await get(fn, 'carol', { room: 'news' });
    expect([outsider.status, outsider.body.code]).toEqual([403, 'NotAMember']);
    expect((await get(fn, 'bob')).body.messages!.map((m) => m.text)).toEqual([
      'alice 1',
      'alice 2',
    ]);
    expect((await get(fn, 'bob', { room: '..' })).body.code).toBe('InvalidRoom');
  });

  it("answers the room and the caller's own conversations, oldest first, and nobody else's", async () => {
    const fn = createGetMessages({
      history,
      rooms: new MemoryRoomStore(),
      names: new MemoryNameRegistry(),
    });
    const res = await get(fn, 'bob');
    expect(res.status).toBe(200);
    expect(res.headers['Cache-Control']).toBe('no-store');
    expect(res.body.messages!.map((m) => m.text)).toEqual(['alice 1', 'alice 2']);
  });

  it('answers 401 without a signed-in principal, and reads nothing', async () => {
    const list = jest.spyOn(history, 'list');
    const res = await get(
      createGetMessages({ history, rooms: new MemoryRoomStore(), names: new MemoryNameRegistry() }),
      undefined,
    );
    expect(res).toEqual(expect.objectContaining({ status: 401 }));
    expect(res.body.code).toBe('NotSignedIn');
    expect(list).not.toHaveBeenCalled();
  });

  it.each([
    [{ limit: '0' }, 'InvalidLimit'],
    [{ before: 'x' }, 'InvalidMessageId'],
    [{ before: '0'.repeat(25), after: '0'.repeat(25) }, 'BeforeAndAfter'],
  ])('refuses %j with 400 %s, and reads nothing', async (query, code) => {
    const list = jest.spyOn(history, 'list');
    const res = await get(
      createGetMessages({ history, rooms: new MemoryRoomStore(), names: new MemoryNameRegistry() }),
      'bob',
      query,
    );
    expect(res.status).toBe(400);
    expect(res.body.code).toBe(code);
    expect(list).not.toHaveBeenCalled();
  });

  it('answers 503 with Retry-After naming history when storage is down', async () => {
    history.fail = unavailable('history', new Error('hung'));
    const res = await get(
      createGetMessages({ history, rooms: new MemoryRoomStore(), names: new MemoryNameRegistry() }),
      'bob',
    );
    expect(res.status).toBe(503);
    expect(res.headers['Retry-After']).toBe('5');
    expect(res.body.code).toBe('HistoryUnavailable');
  });

  it('bounds what one reader makes storage read: catch-ups from 0 in a loop get 429 once their rows run out', async () => {
    // Every catch-up from the start costs 1,000 rows of storage, as in a big room.
    let rowsAsked = 0;
    const expensive: HistoryStore = {
      save: (m) => history.save(m),
      list: (_user: string, query: HistoryQuery) => {
        const rowsRead = query.after !== undefined ? 1_000 : 50;
        rowsAsked += rowsRead;
        return Promise.resolve({ messages: [], rowsRead });
      },
    };
    let now = 0;
    const fn = createGetMessages(
      { history: expensive, rooms: new MemoryRoomStore(), names: new MemoryNameRegistry() },
      new ReadLimit(HISTORY_READ_RATE, 'stored messages'),
    );
    const clock = jest.spyOn(Date, 'now').mockImplementation(() => now);
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 20; i++)
        statuses.push((await get(fn, 'mallory', { after: '0'.repeat(25) })).status);
      // Each reserves the most a catch-up can read (2 x 1,000 + 1) and gets back what it did
      // not use: three fit in the 5,000, the fourth waits.
      expect(statuses.filter((status) => status === 200)).toHaveLength(3);
      const refused = await get(fn, 'mallory', { after: '0'.repeat(25) });
      expect(refused.status).toBe(429);
      expect(refused.body.code).toBe('ReadLimit');
      expect(Number(refused.headers['Retry-After'])).toBeGreaterThanOrEqual(1);
      expect(rowsAsked).toBe(3_000);
      // Someone else reads as usual meanwhile; the flooder reads again once the debt is paid.
      expect((await get(fn, 'bob')).status).toBe(200);
      now += 3_000;
      expect((await get(fn, 'mallory', { after: '0'.repeat(25) })).status).toBe(200);
    } finally {
      clock.mockRestore();
    }
  });

  it('bounds reads that arrive together: 32 catch-ups at once read at most the 5,000 rows the bucket holds', async () => {
    let rowsAsked = 0;
    const slow: HistoryStore = {
      save: (m) => history.save(m),
      list: async () => {
        await new Promise((resolve) => setTimeout(resolve, 5));
        rowsAsked += 833;
        return { messages: [], rowsRead: 833 };
      },
    };
    const fn = createGetMessages(
      { history: slow, rooms: new MemoryRoomStore(), names: new MemoryNameRegistry() },
      new ReadLimit(HISTORY_READ_RATE, 'stored messages'),
    );
    const answers = await Promise.all(
      Array.from({ length: 32 }, () => get(fn, 'mallory', { after: '0'.repeat(25) })),
    );
    const served = answers.filter((a) => a.status === 200).length;
    expect(served).toBe(2);
    expect(answers.filter((a) => a.status === 429)).toHaveLength(30);
    expect(rowsAsked).toBeLessThanOrEqual(HISTORY_READ_RATE.capacity);
  });
});
