import type { ChatMessage } from '../../lib/ChatMessage';
import { firstIdAt, idTime, newestFirst } from '../../lib/messageIds';
import type { SendLimit } from '../../lib/settings';
import { BucketMap } from '../../lib/TokenBucket';
import {
  CATCH_UP_MARGIN_MS,
  MAX_CATCH_UP,
  sendLimited,
  sendRate,
  type HistoryPage,
  type HistoryQuery,
  type HistoryStore,
  type SaveResult,
} from '../../lib/storage/HistoryStore';
import { GENERAL_ROOM } from '../../lib/rooms';

/** A room's key among the users' (a user name cannot start with a NUL). */
const roomKey = (room: string) => `\u0000room:${room}`;

/**
 * History in memory, with the rules of the Table Storage store (the send limit, client-id
 * idempotency, who reads which messages, catch-up's margin): for function-level tests, which
 * then need no storage emulator. `fail` makes every call throw, as storage that is down would.
 */
export class MemoryHistoryStore implements HistoryStore {
  /** Newest first, by partition: `public`, or a user's name. */
  private readonly partitions = new Map<string, ChatMessage[]>();
  private readonly claims = new Map<string, ChatMessage>();
  private readonly buckets: BucketMap;
  fail?: Error;

  constructor(
    private readonly limit: SendLimit,
    private readonly now: () => number = Date.now,
  ) {
    this.buckets = new BucketMap(sendRate(limit));
  }

  save(message: ChatMessage, clientId?: string): Promise<SaveResult> {
    if (this.fail) return Promise.reject(this.fail);
    const claimKey = clientId === undefined ? undefined : `${message.sender}\n${clientId}`;
    const earlier = claimKey === undefined ? undefined : this.claims.get(claimKey);
    if (earlier === undefined && this.limit.perMinute > 0) {
      const now = this.now();
      if (!this.buckets.tryTake(message.sender, 1, now))
        return Promise.reject(
          sendLimited(this.limit, this.buckets.secondsUntil(message.sender, 1, now)),
        );
    }
    const stored = earlier ?? message;
    if (claimKey !== undefined && earlier === undefined) this.claims.set(claimKey, message);
    const names = stored.isPrivate
      ? new Set([stored.sender, stored.recipient!])
      : [roomKey(stored.room ?? GENERAL_ROOM)];
    for (const name of names) {
      const rows = (this.partitions.get(name) ?? []).filter((row) => row.id !== stored.id);
      this.partitions.set(name, [stored, ...rows].sort(newestFirst));
    }
    return Promise.resolve({ message: stored, duplicate: earlier !== undefined });
  }

  list(user: string, query: HistoryQuery): Promise<HistoryPage> {
    if (this.fail) return Promise.reject(this.fail);
    const room = query.room ?? GENERAL_ROOM;
    const rows =
      room === GENERAL_ROOM
        ? [...(this.partitions.get(roomKey(room)) ?? []), ...(this.partitions.get(user) ?? [])]
        : [...(this.partitions.get(roomKey(room)) ?? [])];
    let found = rows.sort(newestFirst);
    let count = query.limit;
    if (query.before !== undefined) found = found.filter((row) => row.id < query.before!);
    if (query.after !== undefined) {
      const from = firstIdAt(idTime(query.after) - CATCH_UP_MARGIN_MS);
      found = found.filter((row) => row.id >= from);
      count = MAX_CATCH_UP;
    }
    const messages = found.slice(0, count).reverse();
    return Promise.resolve({ messages, rowsRead: messages.length });
  }
}
