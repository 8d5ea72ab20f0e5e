import { odata } from '@azure/data-tables';
import { GENERAL_ROOM, MAX_ROOMS_PER_USER } from '../rooms';
import { tooManyRooms } from './MemoryRoomStore';
import { roomPartition, userPartition } from './partitionKey';
import { byRoomName, type RoomStore, type RoomSummary } from './RoomStore';
import { changeCounted, COUNT } from './countedRows';
import { isTableNotFound, statusOf, type TableAccount } from './tables';

/**
 * Rooms in Table Storage (docs/storage.md, "Rooms"), table `rooms`. Per room, one partition: a
 * `count` row with the number of members and an `m:` row per member, changed together in one
 * entity-group transaction guarded by ETags (as presence counts connections), so a room's count
 * is always its rows. Per user, a partition with an `r:` row per room: the user's list, which
 * bounds how many rooms one user is in. The two are written one after the other (a transaction
 * cannot span partitions): the user's row first, taken back if the room's change fails, so a
 * failure leaves at most a row that the next join or leave of that room repairs.
 */
const ROOMS = 'rooms';

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

  /** Adds or removes one member row and moves the room's count by one (countedRows.ts). */
  private async changeMembers(user: string, room: string, adding: boolean): Promise<boolean> {
    const next = await changeCounted(this.account, {
      table: ROOMS,
      partitionKey: roomPartition(room),
      rowKey: memberKey(user),
      adding,
      row: { name: user },
      countProperty: 'members',
      countRow: { name: room },
      dependency: 'rooms',
      subject: `Room ${JSON.stringify(room)}`,
    });
    return next !== undefined;
  }

  private userRow(user: string, room: string, present: boolean): Promise<void> {
    return this.account.run(ROOMS, async (table, options) => {
      const row: UserRoomRow = { partitionKey: userPartition(user), rowKey: roomKey(room), room };
      if (present) {
        await table.upsertEntity(row, 'Replace', options);
        return;
      }
      try {
        await table.deleteEntity(row.partitionKey, row.rowKey, options);
      } catch (error) {
        if (statusOf(error) !== 404 || isTableNotFound(error)) throw error;
      }
    });
  }

  async join(user: string, room: string): Promise<boolean> {
    const mine = await this.roomsOf(user);
    const listed = mine.includes(room);
    const others = mine.filter((name) => name !== GENERAL_ROOM).length;
    if (!listed && room !== GENERAL_ROOM && others >= MAX_ROOMS_PER_USER) throw tooManyRooms();
    if (!listed) await this.userRow(user, room, true);
    try {
      return await this.changeMembers(user, room, true);
    } catch (error) {
      if (!listed) await this.userRow(user, room, false).catch(() => undefined);
      throw error;
    }
  }

  async leave(user: string, room: string): Promise<boolean> {
    const left = await this.changeMembers(user, room, false);
    await this.userRow(user, room, false);
    return left;
  }

  async isMember(user: string, room: string): Promise<boolean> {
    return (
      (await this.account.find<object>(ROOMS, roomPartition(room), memberKey(user))) !== undefined
    );
  }

  roomsOf(user: string): Promise<string[]> {
    return this.account.run(ROOMS, async (table, options) => {
      const rooms: string[] = [];
      for await (const row of table.listEntities<UserRoomRow>({
        ...options,
        queryOptions: { filter: odata`PartitionKey eq ${userPartition(user)}` },
      }))
        rooms.push(row.room);
      return rooms.sort();
    });
  }

  rooms(): Promise<RoomSummary[]> {
    return this.account.run(ROOMS, async (table, options) => {
      const found: RoomSummary[] = [];
      for await (const row of table.listEntities<CountRow>({
        ...options,
        queryOptions: { filter: odata`RowKey eq ${COUNT} and members gt 0` },
      }))
        found.push({ name: row.name, members: row.members });
      return found.sort(byRoomName);
    });
  }
}
