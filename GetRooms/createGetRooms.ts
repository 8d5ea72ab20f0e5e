import type { Context, HttpRequest } from '@azure/functions';
import type { SignalRGroupAction } from '../lib/ChatMessage';
import { HttpError } from '../lib/HttpError';
import { signedInUser } from '../lib/principal';
import { ReadLimit } from '../lib/readLimit';
import { answerError, json } from '../lib/respond';
import { GENERAL_ROOM, roomGroup } from '../lib/rooms';
import type { ChatServices } from '../lib/services';

/** Room lists one user may ask for: 10 at once, 2 a second after that (each is two queries). */
export const ROOMS_READ_RATE = { capacity: 10, perSecond: 2 };
/** Rooms on one page of GET /api/rooms (our choice: a page the list shows at once). */
export const ROOMS_PAGE_SIZE = 100;
/** What `after` carries: the `next` of the page before, a room partition key. */
const CONTINUATION = /^r:[A-Za-z0-9_-]{1,400}$/;

export interface RoomListing {
  readonly name: string;
  readonly members: number;
  /** Whether the caller is in it. */
  readonly joined: boolean;
}

function readAfter(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (!CONTINUATION.test(value))
    throw new HttpError(
      400,
      'InvalidContinuation',
      '"after" must be the "next" value of the page before, as GET /api/rooms answered it.',
    );
  return value;
}

/**
 * GET /api/rooms: `{"rooms": [{"name", "members", "joined"}], "next"?}`, one page of every room
 * with a member (each page by name, `general` first when it is on it: pages follow the rooms'
 * partition keys, so a client with more than one page orders the whole list itself); `after=<next>` asks for the
 * page after. The caller is recorded in `general` on their first call, so its count is the
 * people who use the chat. On the first page the caller's rooms are sent to the service again
 * as group additions (adding again changes nothing): a group the service lost, or a racing join
 * and leave that reached it out of order, is repaired whenever the page lists rooms.
 */
export function createGetRooms(
  { rooms, names }: Pick<ChatServices, 'rooms' | 'names'>,
  reads = new ReadLimit(ROOMS_READ_RATE, 'room lists'),
) {
  return async function getRooms(
    context: Context,
    req: HttpRequest,
  ): Promise<SignalRGroupAction[] | undefined> {
    try {
      const user = await signedInUser(req, names);
      const after = readAfter(req.query.after);
      reads.reserve(user, 1);
      let mine = await rooms.roomsOf(user);
      if (!mine.includes(GENERAL_ROOM)) {
        await rooms.join(user, GENERAL_ROOM);
        mine = [GENERAL_ROOM, ...mine];
      }
      const page = await rooms.rooms({ limit: ROOMS_PAGE_SIZE, after });
      const listing: RoomListing[] = page.rooms.map(({ name, members }) => ({
        name,
        members,
        joined: mine.includes(name),
      }));
      listing.sort((a, b) => Number(b.name === GENERAL_ROOM) - Number(a.name === GENERAL_ROOM));
      context.res = json(
        200,
        page.next === undefined ? { rooms: listing } : { rooms: listing, next: page.next },
      );
      if (after !== undefined) return undefined;
      return mine
        .filter((room) => room !== GENERAL_ROOM)
        .map((room) => ({ userId: user, groupName: roomGroup(room), action: 'add' }));
    } catch (error) {
      answerError(context, error);
      return undefined;
    }
  };
}
