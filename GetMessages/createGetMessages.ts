import type { Context, HttpRequest } from '@azure/functions';
import { readPrincipalName } from '../lib/principal';
import { ReadLimit } from '../lib/readLimit';
import { answerError, json } from '../lib/respond';
import type { ChatServices } from '../lib/services';
import { parseHistoryQuery } from '../lib/historyQuery';
import { GENERAL_ROOM, notAMember } from '../lib/rooms';

/**
 * Rows of storage one user's reads may cost: 5,000 at once, 500 a second after that. A page load
 * costs at most 100 (its own partition; the room's rows are mostly held by the instance).
 */
export const HISTORY_READ_RATE = { capacity: 5_000, perSecond: 500 };

/**
 * GET /api/messages: `{"messages": [...]}` oldest first, each as delivered live: `general`'s
 * messages and the caller's own private conversations, never anyone else's (the table keys make
 * them unreachable: docs/storage.md, "History"); with `room`, that room's, to its members only
 * (403 `NotAMember`).
 */
export function createGetMessages(
  { history, rooms }: Pick<ChatServices, 'history' | 'rooms'>,
  reads = new ReadLimit(HISTORY_READ_RATE, 'stored messages'),
) {
  return async function getMessages(context: Context, req: HttpRequest): Promise<void> {
    try {
      const user = readPrincipalName(req);
      const query = parseHistoryQuery(req.query);
      reads.check(user);
      if (query.room !== GENERAL_ROOM && !(await rooms.isMember(user, query.room!)))
        throw notAMember(query.room!);
      const { messages, rowsRead } = await history.list(user, query);
      reads.charge(user, rowsRead + 1);
      context.res = json(200, { messages });
    } catch (error) {
      answerError(context, error);
    }
  };
}
