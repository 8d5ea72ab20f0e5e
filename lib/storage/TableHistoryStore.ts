import { odata, type TableClient, type TransactionAction } from '@azure/data-tables';
import { MAX_HISTORY_PAGE_SIZE, type ChatMessage } from '../ChatMessage';
import { firstIdAt, idTime, invertId, newestFirst } from '../messageIds';
import type { SendLimit } from '../settings';
import {
  CATCH_UP_MARGIN_MS,
  MAX_CATCH_UP,
  type HistoryPage,
  type HistoryQuery,
  type HistoryStore,
  type SaveResult,
} from './HistoryStore';
import { roomPartition, userPartition } from './partitionKey';
import { GENERAL_ROOM } from '../rooms';
import { RecentRows, type RecentQuery } from './RecentRows';
import { SendLimiter } from './SendLimiter';
import { statusOf, type StorageOptions, type TableAccount } from './tables';

/** Public and room messages, by partition. */
const MESSAGES = 'messages';
/**
 * Private messages have a table of their own: every history read queries the reader's own
 * partition, and Azurite answers a query by scanning the whole table
 * (LokiTableMetadataStore.queryTableEntities), so in `messages` each read's cost grew with all of
 * public history (docs/storage.md, "History").
 */
const PRIVATE = 'private';
/**
 * Partition of `private` whose rows (row key: a user's partition) say that the user's private
 * messages from before table `private` existed, in `messages`, were copied in.
 */
const MOVED = ':moved';
/** Rows per copy transaction: Table Storage's limit for one batch. */
const BATCH = 100;
const SENDS = 'sends';
const PUBLIC = 'public';
/** The rooms' rows kept by an instance are all read again this often (RecentRows.ts). */
const RELOAD_KEPT_MS = 30_000;
/**
 * Rooms whose newest rows an instance keeps, the least recently read let go first: at most
 * 200 rows each (our choice: 100 busy rooms in a few megabytes; a room read less often than
 * others is read from storage when it comes back).
 */
const KEPT_ROOMS = 100;

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
  readonly room?: string;
}

/** `public` for `general` (as before rooms), a room's own partition for any other. */
function messagePartition(room: string | undefined): string {
  return room === undefined || room === GENERAL_ROOM ? PUBLIC : roomPartition(room);
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
    ...(message.room !== undefined && { room: message.room }),
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
    // Rows written before rooms have no room: they were in general.
    ...(!entity.isPrivate && { room: entity.room ?? GENERAL_ROOM }),
  };
}

/** The newest `count` rows matching `filter`, newest first. */
async function newest(
  client: TableClient,
  filter: string,
  count: number,
  options: StorageOptions,
): Promise<MessageEntity[]> {
  const found: MessageEntity[] = [];
  const pages = client
    .listEntities<MessageEntity>({ ...options, queryOptions: { filter } })
    .byPage({ maxPageSize: Math.min(count, 1000) });
  for await (const page of pages) {
    found.push(...page);
    if (found.length >= count) break;
  }
  return found.slice(0, count);
}

/**
 * Writes a new message's row. Its id is new, so the row is inserted, not replaced: for Azurite an
 * upsert looks the row up twice (LokiTableMetadataStore.insertOrUpdateTableEntity, then
 * insertTableEntity), each a scan of the partition, an insert once. A 409 is this row already
 * written: by the SDK's retry of a write whose first answer was lost (ids are random, so no
 * other message has it).
 */
async function insertNew(
  table: TableClient,
  entity: MessageEntity,
  options: StorageOptions,
): Promise<void> {
  try {
    await table.createEntity(entity, options);
  } catch (error) {
    if (statusOf(error) !== 409) throw error;
  }
}

function rangeFrom(fromId: string | undefined): string {
  return fromId === undefined ? '' : odata` and RowKey le ${invertId(fromId)}`;
}

/**
 * History in Table Storage (docs/storage.md, "History"). Keys decide who can read what: public
 * messages live in partition `public` of table `messages` (a room's in the room's partition); a
 * private message is written to table `private`, in the partition of each of its two people. A
 * user's history reads `public` and their own partition and nothing else, so another person's
 * private message is never read, let alone filtered out. Row keys are inverted ids, newest
 * first. In table `sends`, per sender: the send-limit bucket, and per client id the message
 * first accepted for it (idempotency), changed together in one transaction.
 */
export class TableHistoryStore implements HistoryStore {
  /**
   * Each recently read room's newest rows, kept by this instance (docs/storage.md, "Reading the
   * room"), by partition, the most recently read last.
   */
  private readonly roomRows = new Map<string, RecentRows<MessageEntity>>();
  /**
   * Per user partition, the copy of their rows from before table `private` (moveOnce): running
   * or done. Reads of one user that arrive together wait for one copy; a failed one is let go,
   * so the next read tries again.
   */
  private readonly moves = new Map<string, Promise<void>>();
  private readonly limiter: SendLimiter;

  constructor(
    private readonly account: TableAccount,
    limit: SendLimit,
    private readonly now: () => number = Date.now,
  ) {
    this.limiter = new SendLimiter(limit, now);
  }

  /** The rows this instance keeps of a room's partition, made on its first read. */
  private keptRows(partition: string): RecentRows<MessageEntity> {
    let rows = this.roomRows.get(partition);
    if (rows !== undefined) this.roomRows.delete(partition);
    else {
      rows = new RecentRows<MessageEntity>(
        {
          newest: (count, fromId) =>
            this.readPartition(MESSAGES, partition, count, rangeFrom(fromId)),
        },
        {
          capacity: MAX_HISTORY_PAGE_SIZE,
          marginMs: CATCH_UP_MARGIN_MS,
          reloadMs: RELOAD_KEPT_MS,
          now: this.now,
        },
      );
      if (this.roomRows.size >= KEPT_ROOMS)
        this.roomRows.delete(this.roomRows.keys().next().value!);
    }
    this.roomRows.set(partition, rows);
    return rows;
  }

  async save(message: ChatMessage, clientId?: string): Promise<SaveResult> {
    const sender = userPartition(message.sender);
    let earlier: ChatMessage | undefined;
    let writeDebit = () => {};
    if (clientId !== undefined)
      earlier = await this.account.run(SENDS, (sends, options) =>
        this.limiter.takeWithClaim(sends, sender, clientId, message, options, () =>
          this.findClaim(sends, sender, clientId, options),
        ),
      );
    else if (this.limiter.enabled)
      writeDebit = await this.account.run(SENDS, (sends, options) =>
        this.limiter.take(sends, sender, options),
      );
    const stored = earlier ?? message;
    const partitions = stored.isPrivate
      ? [...new Set([userPartition(stored.sender), userPartition(stored.recipient!)])]
      : [messagePartition(stored.room)];
    try {
      await this.account.run(stored.isPrivate ? PRIVATE : MESSAGES, (messages, options) =>
        Promise.all(
          partitions.map((partition) => {
            const entity = toEntity(partition, stored);
            return earlier === undefined
              ? insertNew(messages, entity, options)
              : messages.upsertEntity(entity, 'Replace', options);
          }),
        ),
      );
    } finally {
      writeDebit();
    }
    return { message: stored, duplicate: earlier !== undefined };
  }

  /** Resolves when the send-limit debits this instance took are written (they land behind). */
  flush(): Promise<void> {
    return this.limiter.flush();
  }

  private async findClaim(
    sends: TableClient,
    partitionKey: string,
    clientId: string,
    options: StorageOptions,
  ): Promise<ChatMessage | undefined> {
    try {
      const claim = await sends.getEntity<{ message: string }>(partitionKey, clientId, options);
      return JSON.parse(claim.message) as ChatMessage;
    } catch (error) {
      if (statusOf(error) === 404 && !/TableNotFound/.test((error as Error).message))
        return undefined;
      throw error;
    }
  }

  /** One storage query: the newest `count` rows of a partition, newest first. */
  private readPartition(
    table: string,
    partition: string,
    count: number,
    range: string,
  ): Promise<MessageEntity[]> {
    return this.account.run(table, (client, options) =>
      newest(client, odata`PartitionKey eq ${partition}` + range, count, options),
    );
  }

  /** The newest `count` of a user's private rows, newest first. */
  private async ownRows(user: string, count: number, range: string): Promise<MessageEntity[]> {
    const partition = userPartition(user);
    await this.moveOnce(partition);
    return this.readPartition(PRIVATE, partition, count, range);
  }

  /**
   * Copies a user's private rows written before table `private` existed (in `messages`, same
   * keys) into it, once: the first read of the user on an instance looks for the user's row in
   * partition `:moved` and, when there is none, copies every old row (upserts: a copy that two
   * instances make at once, or that is cut short and made again, writes the same rows) and then
   * writes that row. The old rows stay in `messages`, never read again.
   */
  private moveOnce(partition: string): Promise<void> {
    let move = this.moves.get(partition);
    if (move === undefined) {
      move = this.move(partition);
      this.moves.set(partition, move);
      move.catch(() => this.moves.delete(partition));
    }
    return move;
  }

  private async move(partition: string): Promise<void> {
    if ((await this.account.find(PRIVATE, MOVED, partition)) === undefined) {
      const old = await this.readPartition(MESSAGES, partition, Number.MAX_SAFE_INTEGER, '');
      for (let from = 0; from < old.length; from += BATCH) {
        const rows = old.slice(from, from + BATCH);
        await this.account.run(PRIVATE, (table, options) =>
          table.submitTransaction(
            rows.map((row): TransactionAction => [
              'upsert',
              { ...toEntity(partition, toMessage(row)) },
              'Replace',
            ]),
            options,
          ),
        );
      }
      await this.account.run(PRIVATE, (table, options) =>
        table.upsertEntity(
          { partitionKey: MOVED, rowKey: partition, rows: old.length },
          'Replace',
          options,
        ),
      );
    }
  }

  async list(user: string, query: HistoryQuery): Promise<HistoryPage> {
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
    let rowsRead = 0;
    const counted = (rows: MessageEntity[]) => ((rowsRead += rows.length), rows);
    // The room from the rows this instance keeps, or from storage when the query reaches past them.
    const partition = messagePartition(query.room);
    const room = this.keptRows(partition)
      .read(recent)
      .then((held) => held ?? this.readPartition(MESSAGES, partition, count, range).then(counted));
    if (partition !== PUBLIC) {
      // Another room: its own partition, nothing else.
      return { messages: (await room).slice(0, count).reverse().map(toMessage), rowsRead };
    }
    const [publicRows, own] = await Promise.all([
      room,
      this.ownRows(user, count, range).then(counted),
    ]);
    const messages = [...publicRows, ...own]
      .sort(newestFirst)
      .slice(0, count)
      .reverse()
      .map(toMessage);
    return { messages, rowsRead };
  }
}
