import type { Context } from '@azure/functions';
import type { SignalRMessageAction } from '../lib/ChatMessage';
import { HubMethod } from '../lib/hub';
import type { ChatServices } from '../lib/services';
import type { InvocationContext } from '../lib/signalr/upstream';

/**
 * A client connected (SignalR upstream, category connections): record the connection, and tell
 * everyone when it is the user's first, so a second tab makes no noise. Presence changes only
 * what the service confirms: the upstream signature covers the connection id alone, so a
 * replayed call with another user id must name a connection and a user the service knows.
 * A failure fails the invocation (the extension answers 403); the page's next GET /api/users
 * records the connection then (docs/storage.md, "Presence").
 */
export function createOnConnected({
  presence,
  signalR,
}: Pick<ChatServices, 'presence' | 'signalR'>) {
  return async function onConnected(
    context: Context,
    invocation: InvocationContext,
  ): Promise<SignalRMessageAction[] | undefined> {
    const { UserId: user, ConnectionId: connectionId } = invocation;
    if (!user) return undefined;
    const [connectionKnown, userKnown] = await Promise.all([
      signalR.connectionExists(connectionId),
      signalR.userExists(user),
    ]);
    if (!connectionKnown || !userKnown) {
      context.log.warn(
        `OnConnected: the service does not know connection ${connectionId} of that user; ignored.`,
      );
      return undefined;
    }
    return (await presence.add(user, connectionId))
      ? [{ target: HubMethod.UserOnline, arguments: [{ name: user }] }]
      : undefined;
  };
}
