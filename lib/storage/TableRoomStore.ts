import { odata } from '@azure/data-tables';
import { unavailable } from '../HttpError';
import { GENERAL_ROOM, MAX_ROOMS_PER_USER, tooManyRooms } from '../rooms';
import { roomPartition, userPartition } from './partitionKey';
import {
  byRoomName,
  type MembershipChange,
  type RoomPage,
  type RoomPageRequest,
  type RoomStore,
} from './RoomStore';
import { changeCounted, COUNT } from './countedRows';
import type { TableAccount } from './tables';

/**
 * Rooms in Table Storage (docs/storage.md, "Rooms"), table `rooms`, in two kinds of partition.
 *
 * A user's partition is the truth of their membership: an `r:` row per room and a `count` row,
 * changed together in one entity-group transaction under the count row's ETag (countedRows.ts).
 * Every join and leave of one user is therefore one after the other, and the bound on rooms is
 * checked on the count that transaction replaces: 50 joins at once end in at most 20 rooms.
 *
 * A room's partition follows: an `m:` row per member and a `count` row with the number of
 * members, for the room list. After changing the user's row, the writer makes the room's row
 * agree with it, reading the user's row again after its own write until the two agree, so when
 * joins and leaves of one room race, the last writer leaves both as the user's row says.
 */
const ROOMS = 'rooms';
/** Rounds of "make the room's row agree" before giving up with a 503 (each is a few calls). */
const SYNC_ATTEMPTS = 10;

interface CountRow {
  readonly partitionKey: string;
  readonly rowKey: string;
  readonly name: string;
  readonly members: number;
}

interface UserRoomRow {
  readonly partitionKey: string;
  readonly rowKey: string;
  readonly room: string;
}

const memberKey = (user: string) => `m:${userPartition(user).slice(2)}`;
const roomKey = (room: string) => `r:${roomPartition(room).slice(2)}`;

export class TableRoomStore implements RoomStore {
  constructor(private readonly account: TableAccount) {}

  /** Adds or removes the user's row for `room` (the truth); whether it changed. */
  private async changeMine(user: string, room: string, adding: boolean): Promise<boolean> {
    // `general` is not counted: it is no room one chose, and everyone is in it.
    const general = room === GENERAL_ROOM;
    const next = await changeCounted(this.account, {
      table: ROOMS,
      partitionKey: userPartition(user),
      rowKey: roomKey(room),
      adding,
      row: { room },
      countProperty: general ? 'general' : 'rooms',
      countRow: {},
      limit: general ? undefined : MAX_ROOMS_PER_USER,
      overLimit: tooManyRooms,
      dependency: 'rooms',
      subject: 'Your rooms',
    });
    return next !== undefined;
  }

  /** Makes the room's member row agree with the user's row; what both say then. */
  private async follow(
    user: string,
    room: string,
  ): Promise<Pick<MembershipChange, 'member' | 'members'>> {
    for (let attempt = 0; attempt < SYNC_ATTEMPTS; attempt++) {
      const member = await this.isMember(user, room);
      await changeCounted(this.account, {
        table: ROOMS,
        partitionKey: roomPartition(room),
        rowKey: memberKey(user),
        adding: member,
        row: { name: user },
        countProperty: 'members',
        countRow: { name: room },
        dependency: 'rooms',
        subject: `Room ${JSON.stringify(room)}`,
      });
      if ((await this.isMember(user, room)) === member) {
        const count = await this.account.find<CountRow>(ROOMS, roomPartition(room), COUNT);
        return { member, members: count?.members ?? 0 };
      }
    }
    throw unavailable(
      'rooms',
      new Error(
        `Room ${JSON.stringify(room)} kept changing; gave up after ${SYNC_ATTEMPTS} tries.`,
      ),
    );
  }

  async join(user: string, room: string): Promise<MembershipChange> {
    const changed = await this.changeMine(user, room, true);
    return { changed, ...(await this.follow(user, room)) };
  }

  async leave(user: string, room: string): Promise<MembershipChange> {
    const changed = await this.changeMine(user, room, false);
    return { changed, ...(await this.follow(user, room)) };
  }

  async isMember(user: string, room: string): Promise<boolean> {
    return (
      (await this.account.find<object>(ROOMS, userPartition(user), roomKey(room))) !== undefined
    );
  }

  roomsOf(user: string): Promise<string[]> {
    return this.account.run(ROOMS, async (table, options) => {
      const rooms: string[] = [];
      for await (const row of table.listEntities<UserRoomRow>({
        ...options,
        queryOptions: {
          filter: odata`PartitionKey eq ${userPartition(user)} and RowKey ge 'r:' and RowKey lt 'r;'`,
        },
      }))
        rooms.push(row.room);
      return rooms.sort();
    });
  }

  /**
   * A page of rooms in partition-key order (the key is the name's base64url, so this is no order
   * a reader knows: each page is sorted by name, and the page follows `next` to the end).
   */
  rooms({ limit, after }: RoomPageRequest): Promise<RoomPage> {
    const from = after === undefined ? '' : odata` and PartitionKey gt ${after}`;
    return this.account.run(ROOMS, async (table, options) => {
      const pages = table
        .listEntities<CountRow>({
          ...options,
          queryOptions: {
            filter:
              odata`RowKey eq ${COUNT} and PartitionKey ge 'r:' and PartitionKey lt 'r;' and members gt 0` +
              from,
          },
        })
        .byPage({ maxPageSize: limit });
      const found: CountRow[] = [];
      for await (const page of pages) {
        found.push(...page.slice(0, limit - found.length));
        if (found.length >= limit) break;
      }
      const rooms = found.map(({ name, members }) => ({ name, members })).sort(byRoomName);
      const last = found.at(-1);
      return found.length < limit || last === undefined
        ? { rooms }
        : { rooms, next: last.partitionKey };
    });
  }
}
