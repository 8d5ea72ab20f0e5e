/**
 * Who is in which room (docs/storage.md, "Rooms"). Everyone may write to and read `general`; it
 * is stored like any room once a user has asked for the room list, so its count says how many
 * people use the chat, and it does not count toward the bound on rooms per user. Two
 * implementations: Table Storage and memory (tests).
 */
export interface RoomStore {
  /** Adds `user` to `room`; false when they were in it already. 409 `TooManyRooms` past the bound. */
  join(user: string, room: string): Promise<boolean>;
  /** Takes `user` out of `room`; false when they were not in it. */
  leave(user: string, room: string): Promise<boolean>;
  /** Whether `user` is in `room` (the room's own record, not the user's list). */
  isMember(user: string, room: string): Promise<boolean>;
  /** The rooms `user` is in, by name. */
  roomsOf(user: string): Promise<string[]>;
  /** Every room with at least one member, by name. */
  rooms(): Promise<RoomSummary[]>;
}

export interface RoomSummary {
  readonly name: string;
  readonly members: number;
}

/** Names in code-unit order, as the page lists them. */
export function byRoomName(a: RoomSummary, b: RoomSummary): number {
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}
