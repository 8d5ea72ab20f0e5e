import type { Context, HttpRequest } from '@azure/functions';
import { ActionLimit } from '../lib/actionLimit';
import type { SignalRGroupAction, SignalRMessageAction } from '../lib/ChatMessage';
import { HttpError } from '../lib/HttpError';
import { HubMethod } from '../lib/hub';
import { signedInUser } from '../lib/principal';
import { answerError, json } from '../lib/respond';
import { GENERAL_ROOM, lookAlikeRoom, parseRoom, roomGroup } from '../lib/rooms';
import type { ChatServices } from '../lib/services';

type Action = SignalRGroupAction | SignalRMessageAction;

/** Joins and leaves one user may make: 10 at once, 30 a minute after that (our choice). */
export const MEMBERSHIP_RATE = { capacity: 10, perSecond: 0.5 };

/**
 * POST /api/rooms/{room}/join and /leave: `{"room", "joined"}`. Under the user's action limit
 * (429 `ActionLimit`). A new room's name must not look like an existing room's (409
 * `LookAlikeRoom`). The membership is stored first; then the signalR output binding's group
 * action puts the user (every tab, now and later: the service keeps user-group membership) into
 * the room's group or takes them out, as storage says after the change (so of two racing calls,
 * each sends what is true), and the user's other tabs hear `roomsChanged`. When a room gets its
 * first member or loses its last, everyone hears `roomListChanged`. `general` cannot be left.
 */
export function createRoomMembership(
  { rooms, names }: Pick<ChatServices, 'rooms' | 'names'>,
  limit = new ActionLimit(MEMBERSHIP_RATE, 'joining and leaving rooms'),
) {
  return async function roomMembership(
    context: Context,
    req: HttpRequest,
  ): Promise<Action[] | undefined> {
    try {
      const user = await signedInUser(req, names);
      const room = parseRoom(req.params.room, 'The room in the path');
      const action = req.params.action;
      if (action !== 'join' && action !== 'leave')
        throw new HttpError(
          404,
          'UnknownAction',
          `POST /api/rooms/{room}/join or /leave; "${String(action).slice(0, 40)}" is neither.`,
        );
      const joining = action === 'join';
      if (room === GENERAL_ROOM && !joining)
        throw new HttpError(
          400,
          'CannotLeaveGeneral',
          'Everyone is in "general"; it cannot be left.',
        );
      limit.take(user);
      if (room === GENERAL_ROOM) {
        await rooms.join(user, room);
        context.res = json(200, { room, joined: true });
        return undefined;
      }
      if (joining) {
        const holder = await names.claim('room', room);
        if (holder !== undefined) throw lookAlikeRoom(room, holder);
      }
      const {
        changed,
        member: inRoom,
        members,
      } = joining ? await rooms.join(user, room) : await rooms.leave(user, room);
      context.res = json(200, { room, joined: inRoom });
      const listChanged = changed && members === (joining ? 1 : 0);
      return [
        { userId: user, groupName: roomGroup(room), action: inRoom ? 'add' : 'remove' },
        { userId: user, target: HubMethod.RoomsChanged, arguments: [{ room, joined: inRoom }] },
        ...(listChanged
          ? [{ target: HubMethod.RoomListChanged, arguments: [{ room, members }] }]
          : []),
      ];
    } catch (error) {
      answerError(context, error);
      return undefined;
    }
  };
}
