import { HISTORY_PAGE_SIZE, MAX_HISTORY_PAGE_SIZE } from './ChatMessage';
import type { HistoryQuery } from './storage/HistoryStore';
import { MESSAGE_ID_PATTERN } from './messageIds';
import { HttpError } from './HttpError';
import { GENERAL_ROOM, parseRoom } from './rooms';

function readId(name: string, value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (!MESSAGE_ID_PATTERN.test(value))
    throw new HttpError(
      400,
      'InvalidMessageId',
      `"${name}" must be a message id (25 digits, as in a message's "id"), not ${JSON.stringify(value.slice(0, 40))}.`,
    );
  return value;
}

/**
 * GET /api/messages query: `limit` (1 to 200, default 50) for the latest; `before=<id>` for an
 * older page; `after=<id>` for everything since; `room` (default `general`). Other parameters
 * are ignored.
 */
export function parseHistoryQuery(
  query: Readonly<Record<string, string | undefined>>,
): HistoryQuery {
  const before = readId('before', query.before);
  const after = readId('after', query.after);
  if (before !== undefined && after !== undefined)
    throw new HttpError(400, 'BeforeAndAfter', 'Send "before" or "after", not both.');
  let limit = HISTORY_PAGE_SIZE;
  if (query.limit !== undefined) {
    if (
      !/^\d{1,3}$/.test(query.limit) ||
      Number(query.limit) < 1 ||
      Number(query.limit) > MAX_HISTORY_PAGE_SIZE
    )
      throw new HttpError(
        400,
        'InvalidLimit',
        `"limit" must be a whole number from 1 to ${MAX_HISTORY_PAGE_SIZE}, not ${JSON.stringify(query.limit.slice(0, 40))}.`,
      );
    limit = Number(query.limit);
  }
  const room = query.room === undefined ? GENERAL_ROOM : parseRoom(query.room, '"room"');
  return { limit, before, after, room };
}
