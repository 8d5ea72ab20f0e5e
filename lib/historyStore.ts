import { odata, type TableClient } from '@azure/data-tables';
import type { ChatMessage } from './ChatMessage';
import { firstIdAt, idTime, invertId, newestFirst } from './messageIds';
import { RecentRows, type RecentQuery } from './RecentRows';
import { STORAGE_SETTING, statusOf, withTable } from './tables';

/**
 * Message history in Table Storage (docs/storage.md, "History"). Keys decide who can read what:
 * public messages live in partition `public`; a private message is written to the partition of
 * each of its two people (`u:<name>`). A user's history reads `public` and their own partition
 * and nothing else, so another person's private message is never read, let alone filtered out.
 * Row keys are inverted ids, newest first. Idempotency: `sends` keeps, per sender and client id,
 * the message first accepted for it.
 */
const MESSAGES = 'messages';
const SENDS = 'sends';
const PUBLIC = 'public';
/** Catch-up re-reads this far before `after`, for instances whose clock is slightly behind. */
export const CATCH_UP_MARGIN_MS = 5_000;
/** Most messages one catch-up answers: the newest of them, when more were missed. */
export const MAX_CATCH_UP = 1_000;

interface MessageEntity {
  readonly partitionKey: string;
  readonly rowKey: string;
  readonly id: string;
  readonly sender: string;
  readonly text: string;
  /** `timestamp` is Table Storage's own property; the message's time is kept as `sentAt`. */
  readonly sentAt: string;
  readonly isPrivate: boolean;
  readonly recipient?: string;
}

export function partitionOf(user: string): string {
  return `u:${encodeURIComponent(user)}`;
}

function toEntity(partitionKey: string, message: ChatMessage): MessageEntity {
  return {
    partitionKey,
    rowKey: invertId(message.id),
    id: message.id,
    sender: message.sender,
    text: message.text,
    sentAt: message.timestamp,
    isPrivate: message.isPrivate,
    ...(message.recipient !== undefined && { recipient: message.recipient }),
  };
}

function toMessage(entity: MessageEntity): ChatMessage {
  return {
    id: entity.id,
    sender: entity.sender,
    text: entity.text,
    timestamp: entity.sentAt,
    isPrivate: entity.isPrivate,
    ...(entity.recipient !== undefined && { recipient: entity.recipient }),
  };
}

/** The message first accepted for (sender, clientId), or undefined when this one is the first. */
async function claimClientId(
  message: ChatMessage,
  clientId: string,
): Promise<ChatMessage | undefined> {
  const key = { partitionKey: partitionOf(message.sender), rowKey: clientId };
  return withTable(SENDS, async (sends) => {
    try {
      await sends.createEntity({ ...key, message: JSON.stringify(message) });
      return undefined;
    } catch (error) {
      if (statusOf(error) !== 409) throw error;
      const existing = await sends.getEntity<{ message: string }>(key.partitionKey, key.rowKey);
      return JSON.parse(existing.message) as ChatMessage;
    }
  });
}

export interface SaveResult {
  readonly message: ChatMessage;
  /** True when the client id had been used: `message` is the one stored then. */
  readonly duplicate: boolean;
}

/**
 * Stores a message before it is sent: a 202 means it is in history. A retry with the same
 * client id gets the stored message, and its rows are written again (idempotently), so a crash
 * between the claim and the rows cannot leave a claimed message out of history.
 */
export async function saveMessage(message: ChatMessage, clientId?: string): Promise<SaveResult> {
  const earlier = clientId === undefined ? undefined : await claimClientId(message, clientId);
  const stored = earlier ?? message;
  const partitions = stored.isPrivate
    ? [...new Set([partitionOf(stored.sender), partitionOf(stored.recipient!)])]
    : [PUBLIC];
  await withTable(MESSAGES, (messages) =>
    Promise.all(
      partitions.map((partition) => messages.upsertEntity(toEntity(partition, stored), 'Replace')),
    ),
  );
  return { message: stored, duplicate: earlier !== undefined };
}

export interface HistoryQuery {
  /** How many of the latest (or of those before `before`). */
  readonly limit: number;
  readonly before?: string;
  /** Everything accepted since, re-reading CATCH_UP_MARGIN_MS before it; capped at MAX_CATCH_UP. */
  readonly after?: string;
}

async function newest(
  client: TableClient,
  filter: string,
  count: number,
): Promise<MessageEntity[]> {
  const found: MessageEntity[] = [];
  const pages = client
    .listEntities<MessageEntity>({ queryOptions: { filter } })
    .byPage({ maxPageSize: Math.min(count, 1000) });
  for await (const page of pages) {
    found.push(...page);
    if (found.length >= count) break;
  }
  return found.slice(0, count);
}

/** The most one read may ask for: the latest `limit` and the public rows kept per instance. */
export const MAX_LIMIT = 200;
/** The public rows kept by an instance are all read again this often (lib/RecentRows.ts). */
const RELOAD_PUBLIC_MS = 30_000;

function rangeFrom(fromId: string | undefined): string {
  return fromId === undefined ? '' : odata` and RowKey le ${invertId(fromId)}`;
}

/** One storage query: the newest `count` rows of a partition, newest first. */
function readPartition(partition: string, count: number, range: string): Promise<MessageEntity[]> {
  return withTable(MESSAGES, (messages) =>
    newest(messages, odata`PartitionKey eq ${partition}` + range, count),
  );
}

/** Per storage account, the room's newest public rows (tables are per connection string too). */
const recentPublic = new Map<string, RecentRows<MessageEntity>>();

function publicRows(): RecentRows<MessageEntity> {
  const account = process.env[STORAGE_SETTING] ?? '';
  let rows = recentPublic.get(account);
  if (rows === undefined) {
    rows = new RecentRows<MessageEntity>(
      { newest: (count, fromId) => readPartition(PUBLIC, count, rangeFrom(fromId)) },
      { capacity: MAX_LIMIT, marginMs: CATCH_UP_MARGIN_MS, reloadMs: RELOAD_PUBLIC_MS },
    );
    recentPublic.set(account, rows);
  }
  return rows;
}

/** `user`'s history, oldest first: the room's public messages and their own private ones. */
export async function listMessages(user: string, query: HistoryQuery): Promise<ChatMessage[]> {
  const count = query.after !== undefined ? MAX_CATCH_UP : query.limit;
  let range = '';
  let recent: RecentQuery;
  if (query.before !== undefined) {
    range = odata` and RowKey gt ${invertId(query.before)}`;
    recent = { limit: count, before: query.before };
  } else if (query.after !== undefined) {
    range = rangeFrom(firstIdAt(idTime(query.after) - CATCH_UP_MARGIN_MS));
    recent = { after: query.after, max: count };
  } else recent = { limit: count };
  const [room, own] = await Promise.all([
    // The room from the rows this instance keeps, or from storage when the query reaches past them.
    publicRows()
      .read(recent)
      .then((held) => held ?? readPartition(PUBLIC, count, range)),
    readPartition(partitionOf(user), count, range),
  ]);
  return [...room, ...own].sort(newestFirst).slice(0, count).reverse().map(toMessage);
}
