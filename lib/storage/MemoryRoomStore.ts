import { HttpError } from '../HttpError';
import { GENERAL_ROOM, MAX_ROOMS_PER_USER } from '../rooms';
import { byRoomName, type RoomStore, type RoomSummary } from './RoomStore';

/** Rooms in memory, for function-level tests; the same rules as TableRoomStore. */
export class MemoryRoomStore implements RoomStore {
  private readonly members = new Map<string, Set<string>>();
  fail?: Error;

  private check(): void {
    if (this.fail) throw this.fail;
  }

  async join(user: string, room: string): Promise<boolean> {
    this.check();
    const mine = await this.roomsOf(user);
    if (mine.includes(room)) return false;
    if (
      room !== GENERAL_ROOM &&
      mine.filter((r) => r !== GENERAL_ROOM).length >= MAX_ROOMS_PER_USER
    )
      throw tooManyRooms();
    let set = this.members.get(room);
    if (set === undefined) this.members.set(room, (set = new Set()));
    set.add(user);
    return true;
  }

  async leave(user: string, room: string): Promise<boolean> {
    this.check();
    const set = this.members.get(room);
    if (set === undefined || !set.delete(user)) return false;
    if (set.size === 0) this.members.delete(room);
    return true;
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

  async rooms(): Promise<RoomSummary[]> {
    this.check();
    return [...this.members].map(([name, set]) => ({ name, members: set.size })).sort(byRoomName);
  }
}

/** 409 `TooManyRooms`: the bound on rooms per user (lib/rooms.ts). */
export function tooManyRooms(): HttpError {
  return new HttpError(
    409,
    'TooManyRooms',
    `You are in ${MAX_ROOMS_PER_USER} rooms, the most one person can be in; leave one first.`,
  );
}
