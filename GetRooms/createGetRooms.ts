import type { Context, HttpRequest } from '@azure/functions';
import { readPrincipalName } from '../lib/principal';
import { ReadLimit } from '../lib/readLimit';
import { answerError, json } from '../lib/respond';
import { GENERAL_ROOM } from '../lib/rooms';
import type { ChatServices } from '../lib/services';

/** Room lists one user may ask for: 10 at once, 2 a second after that (each is two queries). */
export const ROOMS_READ_RATE = { capacity: 10, perSecond: 2 };

export interface RoomListing {
  readonly name: string;
  readonly members: number;
  /** Whether the caller is in it. */
  readonly joined: boolean;
}

/**
 * GET /api/rooms: `{"rooms": [{"name", "members", "joined"}]}`, `general` first, then by name:
 * every room with a member, and the caller's. The caller is recorded in `general` on their
 * first call, so its count is the people who use the chat.
 */
export function createGetRooms(
  { rooms }: Pick<ChatServices, 'rooms'>,
  reads = new ReadLimit(ROOMS_READ_RATE, 'room lists'),
) {
  return async function getRooms(context: Context, req: HttpRequest): Promise<void> {
    try {
      const user = readPrincipalName(req);
      reads.check(user);
      reads.charge(user, 1);
      let mine = await rooms.roomsOf(user);
      if (!mine.includes(GENERAL_ROOM)) {
        await rooms.join(user, GENERAL_ROOM);
        mine = [GENERAL_ROOM, ...mine];
      }
      const all = await rooms.rooms();
      const listing: RoomListing[] = all.map(({ name, members }) => ({
        name,
        members,
        joined: mine.includes(name),
      }));
      listing.sort((a, b) => Number(b.name === GENERAL_ROOM) - Number(a.name === GENERAL_ROOM));
      context.res = json(200, { rooms: listing });
    } catch (error) {
      answerError(context, error);
    }
  };
}
