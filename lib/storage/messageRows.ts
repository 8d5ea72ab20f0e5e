import { odata, type TableClient } from '@azure/data-tables';
import type { ChatMessage } from '../ChatMessage';
import { invertId } from '../messageIds';
import { GENERAL_ROOM } from '../rooms';
import { roomPartition } from './partitionKey';
import { statusOf, type StorageOptions } from './tables';

/**
 * A chat message as a Table Storage row, and the reads and writes of such rows
 * (docs/storage.md, "History").
 */

/** Public and room messages, by partition. */
export const MESSAGES = 'messages';
/**
 * Private messages have a table of their own: every history read queries the reader's own
 * partition, and Azurite answers a query by scanning the whole table
 * (LokiTableMetadataStore.queryTableEntities), so in `messages` each read's cost grew with all of
 * public history (docs/storage.md, "History").
 */
export const PRIVATE = 'private';
/** The partition of `general`, as before rooms. */
export const PUBLIC = 'public';

export interface MessageEntity {
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
export function messagePartition(room: string | undefined): string {
  return room === undefined || room === GENERAL_ROOM ? PUBLIC : roomPartition(room);
}

export function toEntity(partitionKey: string, message: ChatMessage): MessageEntity {
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

export function toMessage(entity: MessageEntity): ChatMessage {
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
export async function newestRows(
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
export async function insertNew(
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

/** The rows from `fromId` back (row keys are inverted ids, newest first); all without one. */
export function rangeFrom(fromId: string | undefined): string {
  return fromId === undefined ? '' : odata` and RowKey le ${invertId(fromId)}`;
}
