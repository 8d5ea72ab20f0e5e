import { odata } from '@azure/data-tables';
import type { ChatMessage } from '../ChatMessage';
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
import { KeptRooms } from './KeptRooms';
import {
  MESSAGES,
  PRIVATE,
  PUBLIC,
  insertNew,
  messagePartition,
  newestRows,
  rangeFrom,
  toEntity,
  toMessage,
  type MessageEntity,
} from './messageRows';
import { userPartition } from './partitionKey';
import type { RecentQuery } from './RecentRows';
import { SendLimiter } from './SendLimiter';
import type { TableAccount } from './tables';

/**
 * History in Table Storage (docs/storage.md, "History"). Keys decide who can read what: public
 * messages live in partition `public` of table `messages` (a room's in the room's partition); a
 * private message is written to table `private`, in the partition of each of its two people. A
 * user's history reads `public` and their own partition and nothing else, so another person's
 * private message is never read, let alone filtered out. Row keys are inverted ids, newest
 * first (messageRows.ts). Before a message is stored, its sender's send limit and client-id claim
 * (SendLimiter.admit); a room's newest rows are kept by the instance (KeptRooms.ts).
 */
export class TableHistoryStore implements HistoryStore {
  private readonly keptRooms: KeptRooms;
  private readonly limiter: SendLimiter;

  constructor(
    private readonly account: TableAccount,
    limit: SendLimit,
    now: () => number = Date.now,
  ) {
    this.limiter = new SendLimiter(limit, now);
    this.keptRooms = new KeptRooms(
      (partition, count, fromId) =>
        this.readPartition(MESSAGES, partition, count, rangeFrom(fromId)),
      now,
    );
  }

  async save(message: ChatMessage, clientId?: string): Promise<SaveResult> {
    const { earlier, writeDebit } = await this.limiter.admit(
      this.account,
      userPartition(message.sender),
      message,
      clientId,
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

  /** One storage query: the newest `count` rows of a partition, newest first. */
  private readPartition(
    table: string,
    partition: string,
    count: number,
    range: string,
  ): Promise<MessageEntity[]> {
    return this.account.run(table, (client, options) =>
      newestRows(client, odata`PartitionKey eq ${partition}` + range, count, options),
    );
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
    const room = this.keptRooms
      .of(partition)
      .read(recent)
      .then((held) => held ?? this.readPartition(MESSAGES, partition, count, range).then(counted));
    if (partition !== PUBLIC) {
      // Another room: its own partition, nothing else.
      return { messages: (await room).slice(0, count).reverse().map(toMessage), rowsRead };
    }
    const [publicRows, own] = await Promise.all([
      room,
      this.readPartition(PRIVATE, userPartition(user), count, range).then(counted),
    ]);
    const messages = [...publicRows, ...own]
      .sort(newestFirst)
      .slice(0, count)
      .reverse()
      .map(toMessage);
    return { messages, rowsRead };
  }
}
