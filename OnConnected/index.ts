import type { AzureFunction, Context } from '@azure/functions';
import { HubMethod } from '../lib/hub';
import { addConnection } from '../lib/presenceStore';
import type { SignalRUpstreamContext } from '../lib/SignalRUpstreamContext';

/**
 * A client connected (SignalR upstream, category connections): record the connection, and
 * tell everyone when it is the user's first, so a second tab makes no noise.
 */
const onConnected: AzureFunction = async function (
  _context: Context,
  invocation: SignalRUpstreamContext,
) {
  if (!invocation.UserId) return undefined;
  const first = await addConnection(invocation.UserId, invocation.ConnectionId);
  return first
    ? [{ target: HubMethod.UserOnline, arguments: [{ name: invocation.UserId }] }]
    : undefined;
};

export default onConnected;
