import type { AzureFunction, Context, HttpRequest } from '@azure/functions';
import { HUB_NAME, HubMethod } from '../lib/hub';
import { knownConnections, markChecked, onlineUsers, removeConnection } from '../lib/presenceStore';
import { readPrincipalName } from '../lib/principal';
import { JSON_HEADERS, answerRequestError } from '../lib/respond';
import { connectionExists } from '../lib/signalRConnections';

/**
 * A connection not heard of for this long is asked about at the SignalR Service: disconnected
 * events are not guaranteed (Azure/azure-signalr#809, #642), so a connection whose disconnect
 * never arrived is found here and removed (docs/storage.md, "Presence").
 */
export const STALE_AFTER_MS = 60_000;
/** At most this many checks per request, so a burst of stale rows cannot slow it much. */
const MAX_CHECKS = 20;

/** Removes connections the service no longer knows; returns the users that went offline. */
async function sweepStale(now: number): Promise<string[]> {
  const stale = (await knownConnections())
    .filter((connection) => now - connection.checkedAt > STALE_AFTER_MS)
    .slice(0, MAX_CHECKS);
  const offline: string[] = [];
  for (const { user, connectionId } of stale) {
    if (await connectionExists(HUB_NAME, connectionId)) await markChecked(user, connectionId, now);
    else if (await removeConnection(user, connectionId)) offline.push(user);
  }
  return offline;
}

/** GET /api/users: `{"users": [{"name", "connections"}]}` sorted by name; 401 without a principal. */
const getUsers: AzureFunction = async function (context: Context, req: HttpRequest) {
  try {
    readPrincipalName(req);
    const offline = await sweepStale(Date.now());
    context.res = { status: 200, headers: JSON_HEADERS, body: { users: await onlineUsers() } };
    return offline.map((name) => ({ target: HubMethod.UserOffline, arguments: [{ name }] }));
  } catch (error) {
    answerRequestError(context, error);
    return undefined;
  }
};

export default getUsers;
