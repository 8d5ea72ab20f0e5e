import type { Context, HttpRequest } from '@azure/functions';
import type { SignalRGroupAction, SignalRMessageAction } from '../lib/ChatMessage';
import { HttpError } from '../lib/HttpError';
import { HubMethod } from '../lib/hub';
import { readPrincipalName } from '../lib/principal';
import { answerError, json } from '../lib/respond';
import { GENERAL_ROOM, parseRoom, roomGroup } from '../lib/rooms';
import type { ChatServices } from '../lib/services';

type Action = SignalRGroupAction | SignalRMessageAction;

/**
 * POST /api/rooms/{room}/join and /leave: `{"room", "joined"}`. The membership is stored first,
 * then the signalR output binding's group action puts the user (every tab, now and later: the
 * service keeps user-group membership) into the room's group or takes them out, and the user's
 * other tabs hear `roomsChanged`. Joining a room one is in sends the group action again, which
 * repairs a service that forgot it. `general` cannot be left.
 */
export function createRoomMembership({ rooms }: Pick<ChatServices, 'rooms'>) {
  return async function roomMembership(
    context: Context,
    req: HttpRequest,
  ): Promise<Action[] | undefined> {
    try {
      const user = readPrincipalName(req);
      const room = parseRoom(req.params.room, 'The room in the path');
      const action = req.params.action;
      if (action !== 'join' && action !== 'leave')
        throw new HttpError(
          404,
          'UnknownAction',
          `POST /api/rooms/{room}/join or /leave; "${String(action).slice(0, 40)}" is neither.`,
        );
      const joining = action === 'join';
      if (room === GENERAL_ROOM) {
        if (!joining)
          throw new HttpError(
            400,
            'CannotLeaveGeneral',
            'Everyone is in "general"; it cannot be left.',
          );
        await rooms.join(user, room);
        context.res = json(200, { room, joined: true });
        return undefined;
      }
      if (joining) await rooms.join(user, room);
      else await rooms.leave(user, room);
      context.res = json(200, { room, joined: joining });
      return [
        { userId: user, groupName: roomGroup(room), action: joining ? 'add' : 'remove' },
        { userId: user, target: HubMethod.RoomsChanged, arguments: [{ room, joined: joining }] },
      ];
    } catch (error) {
      answerError(context, error);
      return undefined;
    }
  };
}
