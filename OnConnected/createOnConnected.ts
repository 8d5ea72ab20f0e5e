import type { Context } from '@azure/functions';
import type { SignalRGroupAction, SignalRMessageAction } from '../lib/ChatMessage';
import { GENERAL_ROOM, roomGroup } from '../lib/rooms';
import { HubMethod } from '../lib/hub';
import type { ChatServices } from '../lib/services';
import type { InvocationContext } from '../lib/signalr/InvocationContext';

/**
 * A client connected (SignalR upstream, category connections): record the connection, and tell
 * everyone when it is the user's first, so a second tab makes no noise. Presence changes only
 * what the service confirms: the upstream signature covers the connection id alone, so a
 * replayed call with another user id must name a connection and a user the service knows.
 * A failure fails the invocation (the extension answers 403); the page's next GET /api/users
 * records the connection then (docs/storage.md, "Presence"). A name that looks like another user's
 * (a connection made while the names could not be checked) is never recorded nor announced.
 */
export function createOnConnected({
  presence,
  rooms,
  signalR,
  names,
}: Pick<ChatServices, 'presence' | 'rooms' | 'signalR' | 'names'>) {
  return async function onConnected(
    context: Context,
    invocation: InvocationContext,
  ): Promise<(SignalRMessageAction | SignalRGroupAction)[] | undefined> {
    const { UserId: user, ConnectionId: connectionId } = invocation;
    if (!user) return undefined;
    const [connectionKnown, userKnown] = await Promise.all([
      signalR.connectionExists(connectionId),
      signalR.userExists(user),
    ]);
    if (!connectionKnown || !userKnown || (await names.claim('user', user)) !== undefined) {
      context.log.warn(
        `OnConnected: connection ${connectionId} is not one the service knows of that user, or its name looks like another user's; ignored.`,
      );
      return undefined;
    }
    const [first, joined] = await Promise.all([
      presence.add(user, connectionId),
      rooms.roomsOf(user),
    ]);
    // The user's rooms again: the service keeps user-group membership, but a service that lost
    // it (the emulator restarted) gets it back here; adding again changes nothing.
    const groups: SignalRGroupAction[] = joined
      .filter((room) => room !== GENERAL_ROOM)
      .map((room) => ({ userId: user, groupName: roomGroup(room), action: 'add' }));
    const actions = [
      ...groups,
      ...(first ? [{ target: HubMethod.UserOnline, arguments: [{ name: user }] }] : []),
    ];
    return actions.length > 0 ? actions : undefined;
  };
}
