import { GENERAL_ROOM, MAX_ROOMS_PER_USER, tooManyRooms } from '../../lib/rooms';
import { roomPartition } from '../../lib/storage/partitionKey';
import {
  byRoomName,
  type MembershipChange,
  type RoomPage,
  type RoomPageRequest,
  type RoomStore,
} from '../../lib/storage/RoomStore';

/** Rooms in memory, for function-level tests; the same rules as TableRoomStore. */
export class MemoryRoomStore implements RoomStore {
  private readonly members = new Map<string, Set<string>>();
  fail?: Error;

  private check(): void {
    if (this.fail) throw this.fail;
  }

  async join(user: string, room: string): Promise<MembershipChange> {
    this.check();
    const mine = await this.roomsOf(user);
    if (mine.includes(room))
      return { changed: false, member: true, members: this.members.get(room)!.size };
    if (
      room !== GENERAL_ROOM &&
      mine.filter((r) => r !== GENERAL_ROOM).length >= MAX_ROOMS_PER_USER
    )
      throw tooManyRooms();
    let set = this.members.get(room);
    if (set === undefined) this.members.set(room, (set = new Set()));
    set.add(user);
    return { changed: true, member: true, members: set.size };
  }

  async leave(user: string, room: string): Promise<MembershipChange> {
    this.check();
    const set = this.members.get(room);
    const changed = set?.delete(user) ?? false;
    if (set?.size === 0) this.members.delete(room);
    return { changed, member: false, members: set?.size ?? 0 };
  }

  async isMember(user: string, room: string): Promise<boolean> {
    this.check();
    return this.members.get(room)?.has(user) ?? false;
  }

  async roomsOf(user: string): Promise<string[]> {
    this.check();
    return [...this.members]
      .filter(([, set]) => set.has(user))
      .map(([room]) => room)
      .sort();
  }

  /** Pages in the order of the rooms' partition keys, as TableRoomStore's. */
  async rooms({ limit, after }: RoomPageRequest): Promise<RoomPage> {
    this.check();
    const all = [...this.members]
      .map(([name, set]) => ({ key: roomPartition(name), room: { name, members: set.size } }))
      .filter(({ key }) => after === undefined || key > after)
      .sort((a, b) => (a.key < b.key ? -1 : 1));
    const page = all.slice(0, limit);
    const rooms = page.map(({ room }) => room).sort(byRoomName);
    return all.length > limit ? { rooms, next: page.at(-1)!.key } : { rooms };
  }
}
