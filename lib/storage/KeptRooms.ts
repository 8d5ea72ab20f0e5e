import { MAX_HISTORY_PAGE_SIZE } from '../ChatMessage';
import { CATCH_UP_MARGIN_MS } from './HistoryStore';
import type { MessageEntity } from './messageRows';
import { RecentRows } from './RecentRows';

/** The rooms' rows kept by an instance are all read again this often (RecentRows.ts). */
const RELOAD_KEPT_MS = 30_000;
/**
 * Rooms whose newest rows an instance keeps, the least recently read let go first: at most
 * 200 rows each (our choice: 100 busy rooms in a few megabytes; a room read less often than
 * others is read from storage when it comes back).
 */
const KEPT_ROOMS = 100;

/**
 * Each recently read room's newest rows, kept by this instance (docs/storage.md, "Reading the
 * room"), by partition, the most recently read last.
 */
export class KeptRooms {
  private readonly rooms = new Map<string, RecentRows<MessageEntity>>();

  constructor(
    /** One storage query: the newest `count` rows of a partition from `fromId` back. */
    private readonly newest: (
      partition: string,
      count: number,
      fromId: string | undefined,
    ) => Promise<MessageEntity[]>,
    private readonly now: () => number,
  ) {}

  /** The rows this instance keeps of a room's partition, made on its first read. */
  of(partition: string): RecentRows<MessageEntity> {
    let rows = this.rooms.get(partition);
    if (rows !== undefined) this.rooms.delete(partition);
    else {
      rows = new RecentRows<MessageEntity>(
        { newest: (count, fromId) => this.newest(partition, count, fromId) },
        {
          capacity: MAX_HISTORY_PAGE_SIZE,
          marginMs: CATCH_UP_MARGIN_MS,
          reloadMs: RELOAD_KEPT_MS,
          now: this.now,
        },
      );
      if (this.rooms.size >= KEPT_ROOMS) this.rooms.delete(this.rooms.keys().next().value!);
    }
    this.rooms.set(partition, rows);
    return rows;
  }
}
