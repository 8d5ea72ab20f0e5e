import type { Context } from '@azure/functions';
import type { SignalRMessageAction } from '../lib/ChatMessage';
import { HubMethod } from '../lib/hub';
import type { ChatServices } from '../lib/services';
import type { InvocationContext } from '../lib/signalr/InvocationContext';

/**
 * A client disconnected: forget the connection and, on the user's last, tell everyone. Only a
 * connection the service no longer knows is forgotten: a replayed `disconnected` for a live
 * connection changes nothing but asks the next check of stale connections (GetUsers) to look
 * again, which also settles a service that calls before it has forgotten the connection.
 */
export function createOnDisconnected({
  presence,
  signalR,
}: Pick<ChatServices, 'presence' | 'signalR'>) {
  return async function onDisconnected(
    context: Context,
    invocation: InvocationContext,
  ): Promise<SignalRMessageAction[] | undefined> {
    const { UserId: user, ConnectionId: connectionId } = invocation;
    if (!user) return undefined;
    if (await signalR.connectionExists(connectionId)) {
      context.log.warn(
        `OnDisconnected: connection ${connectionId} is still connected; left for the next check.`,
      );
      await presence.markChecked(user, connectionId, 0);
      return undefined;
    }
    return (await presence.remove(user, connectionId))
      ? [{ target: HubMethod.UserOffline, arguments: [{ name: user }] }]
      : undefined;
  };
}
