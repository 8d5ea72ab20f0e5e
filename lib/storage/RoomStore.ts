/**
 * Who is in which room (docs/storage.md, "Rooms"). Everyone may write to and read `general`; it
 * is stored like any room once a user has asked for the room list, so its count says how many
 * people use the chat, and it does not count toward the bound on rooms per user. Two
 * implementations: Table Storage and memory (tests).
 */
export interface RoomStore {
  /**
   * Adds `user` to `room`: the room's member count after it, or undefined when they were in it
   * already. 409 `TooManyRooms` past the bound.
   */
  join(user: string, room: string): Promise<number | undefined>;
  /** Takes `user` out of `room`: the room's member count after it, or undefined when not in it. */
  leave(user: string, room: string): Promise<number | undefined>;
  /** Whether `user` is in `room`. */
  isMember(user: string, room: string): Promise<boolean>;
  /** The rooms `user` is in, by name. */
  roomsOf(user: string): Promise<string[]>;
  /** One page of the rooms with at least one member, by name within the page (`after`: `next`). */
  rooms(page: RoomPageRequest): Promise<RoomPage>;
}

export interface RoomSummary {
  readonly name: string;
  readonly members: number;
}

export interface RoomPageRequest {
  readonly limit: number;
  /** Where the last page ended (its `next`); undefined for the first page. */
  readonly after?: string;
}

export interface RoomPage {
  readonly rooms: RoomSummary[];
  /** Where the next page starts, when there is one. */
  readonly next?: string;
}

/** Names in code-unit order, as the page lists them. */
export function byRoomName(a: RoomSummary, b: RoomSummary): number {
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}
