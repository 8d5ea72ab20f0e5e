import type { Context, HttpRequest } from '@azure/functions';
import type { SignalRMessageAction } from '../lib/ChatMessage';
import { HttpError, isUnavailable } from '../lib/HttpError';
import { HubMethod } from '../lib/hub';
import { signedInUser } from '../lib/principal';
import { ReadLimit } from '../lib/readLimit';
import { answerError, json } from '../lib/respond';
import type { ChatServices } from '../lib/services';

/**
 * A connection not heard of for this long is asked about at the SignalR Service: disconnected
 * events are not guaranteed (Azure/azure-signalr#809, #642), so a connection whose disconnect
 * never arrived is found here and removed (docs/storage.md, "Presence").
 */
export const STALE_AFTER_MS = 60_000;
/** At most this many checks per request, so a burst of stale rows cannot slow it much. */
const MAX_CHECKS = 20;
/**
 * Lists one user may ask for: 20 at once, 5 a second after that. Each list scans the presence
 * table; a page asks once per (re)connect.
 */
export const USERS_READ_RATE = { capacity: 20, perSecond: 5 };
/** A SignalR connection id as the service issues them (a GUID or base64url); anything else is refused. */
const CONNECTION_ID = /^[A-Za-z0-9_-]{1,64}$/;

type Services = Pick<ChatServices, 'presence' | 'signalR' | 'names'>;

const announce = (target: string, name: string): SignalRMessageAction => ({
  target,
  arguments: [{ name }],
});

/**
 * The caller's own connection, when presence does not have it yet (its `connected` call failed,
 * say, while storage was down): recorded once the service confirms it exists and is the
 * caller's. True when the caller just came online.
 */
async function recordOwn(
  { presence, signalR }: Services,
  user: string,
  connectionId: string,
): Promise<boolean> {
  if (await presence.has(user, connectionId)) return false;
  const [connectionKnown, userKnown] = await Promise.all([
    signalR.connectionExists(connectionId),
    signalR.userExists(user),
  ]);
  return connectionKnown && userKnown && presence.add(user, connectionId);
}

/** Removes connections the service no longer knows; returns the users that went offline. */
async function sweepStale({ presence, signalR }: Services, now: number): Promise<string[]> {
  const stale = (await presence.connections())
    .filter((connection) => now - connection.checkedAt > STALE_AFTER_MS)
    .slice(0, MAX_CHECKS);
  const offline: string[] = [];
  for (const { user, connectionId } of stale) {
    if (await signalR.connectionExists(connectionId))
      await presence.markChecked(user, connectionId, now);
    else if (await presence.remove(user, connectionId)) offline.push(user);
  }
  return offline;
}

function readConnectionId(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (!CONNECTION_ID.test(value))
    throw new HttpError(
      400,
      'InvalidConnectionId',
      '"connectionId" must be your SignalR connection id (letters, digits, "-" and "_", at most 64).',
    );
  return value;
}

/**
 * GET /api/users[?connectionId=<the caller's own>]: `{"users": [{"name", "connections"}]}`
 * sorted by name. Stale connections are swept, and the caller's own connection recorded if it
 * is missing, both best effort: neither may keep the list from answering.
 */
export function createGetUsers(
  services: Services,
  reads = new ReadLimit(USERS_READ_RATE, 'lists of who is online'),
) {
  return async function getUsers(
    context: Context,
    req: HttpRequest,
  ): Promise<SignalRMessageAction[] | undefined> {
    try {
      const user = await signedInUser(req, services.names);
      const connectionId = readConnectionId(req.query.connectionId);
      reads.reserve(user, 1);
      const announcements: SignalRMessageAction[] = [];
      // Best effort against the SignalR Service. Presence storage that is down fails the list
      // too: answered at once, not after a second storage deadline (one request, one deadline).
      const bestEffort = async (what: string, work: () => Promise<void>) => {
        try {
          await work();
        } catch (error) {
          if (isUnavailable(error, 'presence')) throw error;
          context.log.warn(`GetUsers: ${what} skipped: ${(error as Error).message}`);
        }
      };
      if (connectionId !== undefined)
        await bestEffort('recording the caller', async () => {
          if (await recordOwn(services, user, connectionId))
            announcements.push(announce(HubMethod.UserOnline, user));
        });
      await bestEffort('the stale-connection sweep', async () => {
        for (const name of await sweepStale(services, Date.now()))
          announcements.push(announce(HubMethod.UserOffline, name));
      });
      context.res = json(200, { users: await services.presence.online() });
      return announcements;
    } catch (error) {
      answerError(context, error);
      return undefined;
    }
  };
}
