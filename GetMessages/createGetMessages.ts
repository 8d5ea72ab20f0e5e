import type { Context, HttpRequest } from '@azure/functions';
import { signedInUser } from '../lib/principal';
import { ReadLimit } from '../lib/readLimit';
import { answerError, json } from '../lib/respond';
import type { ChatServices } from '../lib/services';
import { parseHistoryQuery } from '../lib/historyQuery';
import { mostRowsRead } from '../lib/storage/HistoryStore';
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
  { history, rooms, names }: Pick<ChatServices, 'history' | 'rooms' | 'names'>,
  reads = new ReadLimit(HISTORY_READ_RATE, 'stored messages'),
) {
  return async function getMessages(context: Context, req: HttpRequest): Promise<void> {
    try {
      const user = await signedInUser(req, names);
      const query = parseHistoryQuery(req.query);
      // Reserved before the read, given back after: reads that arrive together cannot each
      // pass one check (docs/storage.md, "Read limit").
      const most = mostRowsRead(query) + 1;
      reads.reserve(user, most);
      let cost = 1;
      try {
        if (query.room !== GENERAL_ROOM && !(await rooms.isMember(user, query.room!)))
          throw notAMember(query.room!);
        const { messages, rowsRead } = await history.list(user, query);
        cost += rowsRead;
        context.res = json(200, { messages });
      } finally {
        reads.settle(user, most, cost);
      }
    } catch (error) {
      answerError(context, error);
    }
  };
}
