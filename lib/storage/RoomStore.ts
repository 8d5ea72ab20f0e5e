/**
 * Who is in which room (docs/storage.md, "Rooms"). Everyone may write to and read `general`; it
 * is stored like any room once a user has asked for the room list, so its count says how many
 * people use the chat, and it does not count toward the bound on rooms per user. Two
 * implementations: Table Storage and memory (tests).
 */
export interface RoomStore {
  /** Adds `user` to `room` (what changed, and what is true after). 409 `TooManyRooms` past the bound. */
  join(user: string, room: string): Promise<MembershipChange>;
  /** Takes `user` out of `room` (what changed, and what is true after). */
  leave(user: string, room: string): Promise<MembershipChange>;
  /** Whether `user` is in `room`. */
  isMember(user: string, room: string): Promise<boolean>;
  /** The rooms `user` is in, by name. */
  roomsOf(user: string): Promise<string[]>;
  /** One page of the rooms with at least one member, by name within the page (`after`: `next`). */
  rooms(page: RoomPageRequest): Promise<RoomPage>;
}

/** What a join or leave did, and what storage says after it (a racing call may differ). */
export interface MembershipChange {
  /** False when the user was in the room already (join) or not in it (leave). */
  readonly changed: boolean;
  /** Whether the user is in the room now. */
  readonly member: boolean;
  /** The room's member count now. */
  readonly members: number;
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
