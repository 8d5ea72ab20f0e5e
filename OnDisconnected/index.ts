import type { AzureFunction, Context } from '@azure/functions';
import { HubMethod } from '../lib/hub';
import { removeConnection } from '../lib/presenceStore';
import type { SignalRUpstreamContext } from '../lib/SignalRUpstreamContext';

/** A client disconnected: forget the connection; on the user's last, tell everyone. */
const onDisconnected: AzureFunction = async function (
  _context: Context,
  invocation: SignalRUpstreamContext,
) {
  if (!invocation.UserId) return undefined;
  const last = await removeConnection(invocation.UserId, invocation.ConnectionId);
  return last
    ? [{ target: HubMethod.UserOffline, arguments: [{ name: invocation.UserId }] }]
    : undefined;
};

export default onDisconnected;
