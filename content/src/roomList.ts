import { GENERAL_ROOM } from '../../lib/hub';

/** A room as GET /api/rooms lists it. */
export interface RoomListing {
  readonly name: string;
  readonly members: number;
  readonly joined: boolean;
}

/**
 * The whole room list, `general` first, then by name. GET /api/rooms pages follow storage's key
 * order, so `general` can be on any page and no page's order is the list's.
 */
export function orderRooms(rooms: RoomListing[]): RoomListing[] {
  return rooms.sort(
    (a, b) =>
      Number(b.name === GENERAL_ROOM) - Number(a.name === GENERAL_ROOM) ||
      (a.name < b.name ? -1 : a.name > b.name ? 1 : 0),
  );
}
