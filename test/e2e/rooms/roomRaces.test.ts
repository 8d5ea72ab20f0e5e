import { MAX_ROOMS_PER_USER } from '../../../lib/rooms';
import { TableRoomStore } from '../../../lib/storage/TableRoomStore';
import { TableAccount } from '../../../lib/storage/tables';
import { takeSharedStorageAccount } from '../../support/sharedStorage';

/**
 * Races on rooms against real Table Storage (an account of the shared Azurite): the count and
 * the membership change together, and a room's member rows end as the user's own rows say,
 * whatever order racing joins and leaves reach storage in. (Through HTTP the per-user action
 * limit lets only 10 through at once; the store must hold without it, across instances.)
 */
jest.setTimeout(60_000);

/** Storage whose reads answer after a random few milliseconds: more orders of racing calls. */
class JitteryAccount extends TableAccount {
  override async find<T extends object>(name: string, partitionKey: string, rowKey: string) {
    await new Promise((resolve) => setTimeout(resolve, Math.random() * 40));
    return super.find<T>(name, partitionKey, rowKey);
  }
}

describe('TableRoomStore under races', () => {
  let account: TableAccount;
  // Two instances of the app: each has its own store, as two Functions instances would.
  let one: TableRoomStore;
  let two: TableRoomStore;

  beforeAll(() => {
    const connectionString = takeSharedStorageAccount();
    if (connectionString === undefined)
      throw new Error('Run with jest --selectProjects integration.');
    account = new TableAccount(connectionString, 'rooms');
    one = new TableRoomStore(new JitteryAccount(connectionString, 'rooms'));
    two = new TableRoomStore(new JitteryAccount(connectionString, 'rooms'));
  });

  it(`ends 50 joins at once in exactly ${MAX_ROOMS_PER_USER} rooms, each refused one a 409 TooManyRooms`, async () => {
    const user = 'Ngọc Ánh';
    const answers = await Promise.allSettled(
      Array.from({ length: 50 }, (_, i) => (i % 2 ? one : two).join(user, `race ${i} 🎉`)),
    );
    const refused = answers.filter((a) => a.status === 'rejected');
    expect(answers.length - refused.length).toBe(MAX_ROOMS_PER_USER);
    for (const r of refused)
      expect((r as PromiseRejectedResult).reason).toMatchObject({
        status: 409,
        code: 'TooManyRooms',
      });
    const mine = await one.roomsOf(user);
    expect(mine).toHaveLength(MAX_ROOMS_PER_USER);
    // Every room the user is in counts them, and no other room does.
    const listed = new Map<string, number>();
    let after: string | undefined;
    do {
      const page = await one.rooms({ limit: 7, after });
      for (const { name, members } of page.rooms) listed.set(name, members);
      after = page.next;
    } while (after !== undefined);
    expect([...listed.keys()].sort()).toEqual(mine);
    expect([...listed.values()].every((members) => members === 1)).toBe(true);
  });

  it("leaves each room as the user's own row says after join, leave, join, leave fired together on 60 rooms", async () => {
    const user = '王芳';
    const rooms = Array.from({ length: 60 }, (_, i) => `churn ${i}`);
    // Bound per user: leave room for the 60 by racing 15 rooms at a time.
    for (let start = 0; start < rooms.length; start += 15) {
      const batch = rooms.slice(start, start + 15);
      await Promise.allSettled(
        batch.flatMap((room) => [
          one.join(user, room),
          two.leave(user, room),
          two.join(user, room),
          one.leave(user, room),
        ]),
      );
      const mine = new Set(await one.roomsOf(user));
      for (const room of batch) {
        const member = await one.isMember(user, room);
        expect({ room, listed: mine.has(room) }).toEqual({ room, listed: member });
        // The room's own member row agrees with the user's row.
        const row = await account.find<object>(
          'rooms',
          `r:${Buffer.from(room).toString('base64url')}`,
          `m:${Buffer.from(user).toString('base64url')}`,
        );
        expect({ room, memberRow: row !== undefined }).toEqual({ room, memberRow: member });
      }
      // Leave what stayed, so the next batch has room under the bound.
      for (const room of mine) await one.leave(user, room);
    }
  });
});
