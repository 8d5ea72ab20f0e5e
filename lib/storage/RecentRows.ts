import { firstIdAt, idTime, newestFirst } from '../messageIds';

/**
 * The newest rows of one busy partition (the room's `public` messages), kept by this instance
 * so that each history read asks storage only for what may be new, not for the latest 50 again
 * (docs/storage.md, "Reading the room"). Every read still waits for a storage read that started
 * after it arrived, so a message that got its 202 before a read began is in that read's answer,
 * whichever instance accepted it: a 202 still means "in history".
 *
 * Reads that arrive while a refresh is running share the next one: under load a burst of reads
 * costs one storage query, and a single partition in Azure serves about 2,000 entities a second
 * (Microsoft Learn, "Scalability and performance targets for Table storage").
 */
export interface RecentRow {
  /** A message id: 25 digits that sort in the order messages were accepted. */
  readonly id: string;
}

/** Where the rows come from: storage, in practice. */
export interface RowSource<Row extends RecentRow> {
  /** The newest `count` rows of the partition, newest first; only ids >= `fromId` if given. */
  newest(count: number, fromId?: string): Promise<Row[]>;
}

export interface RecentRowsOptions {
  /** How many of the newest rows to keep: the largest `limit` a read may ask for. */
  readonly capacity: number;
  /**
   * How far a row's id may be behind the moment it becomes readable: another instance's clock
   * may be this far behind ours (the catch-up margin).
   */
  readonly marginMs: number;
  /**
   * Everything is read again this often, so rows that storage no longer has (an emulator reset)
   * do not outlive it for long.
   */
  readonly reloadMs: number;
  readonly now?: () => number;
}

export type RecentQuery =
  | { readonly limit: number }
  | { readonly limit: number; readonly before: string }
  | { readonly after: string; readonly max: number };

const ignore = (): void => undefined;

export class RecentRows<Row extends RecentRow> {
  /** Newest first; every row of the partition with an id >= the last one's is here. */
  private rows: Row[] = [];
  /** The partition has no rows older than those held. */
  private complete = false;
  /** When the last refresh started (this instance's clock); undefined before the first. */
  private refreshedAt?: number;
  private loadedAt = 0;
  private tail: Promise<void> = Promise.resolve();
  /** A refresh that has not started yet: a read arriving now may share it. */
  private queued?: Promise<void>;
  private readonly now: () => number;

  constructor(
    private readonly source: RowSource<Row>,
    private readonly options: RecentRowsOptions,
  ) {
    this.now = options.now ?? Date.now;
  }

  /**
   * The rows a query asks for, newest first, read after a storage query that started after this
   * call; undefined when the answer reaches past the rows held (the caller reads storage).
   */
  async read(query: RecentQuery): Promise<Row[] | undefined> {
    await this.refresh();
    if ('after' in query) {
      // Catch-up: everything from the margin before `after`, if all of it is held.
      const from = firstIdAt(idTime(query.after) - this.options.marginMs);
      const oldest = this.rows[this.rows.length - 1];
      if (!this.complete && (oldest === undefined || oldest.id > from)) return undefined;
      return this.rows.filter((row) => row.id >= from).slice(0, query.max);
    }
    const start = 'before' in query ? this.rows.findIndex((row) => row.id < query.before) : 0;
    const older = start < 0 ? [] : this.rows.slice(start);
    if (older.length >= query.limit) return older.slice(0, query.limit);
    return this.complete ? older : undefined;
  }

  /** Resolves once a refresh that started after this call has finished. */
  private refresh(): Promise<void> {
    if (this.queued !== undefined) return this.queued;
    const queued: Promise<void> = this.tail.then(() => {
      // From here on it is running: later reads must wait for the next one.
      if (this.queued === queued) this.queued = undefined;
      return this.update();
    });
    this.queued = queued;
    this.tail = queued.then(ignore, ignore);
    return queued;
  }

  private async update(): Promise<void> {
    const startedAt = this.now();
    const { capacity, marginMs, reloadMs } = this.options;
    if (this.refreshedAt === undefined || startedAt - this.loadedAt >= reloadMs) {
      const rows = await this.source.newest(capacity);
      this.rows = rows;
      this.complete = rows.length < capacity;
      this.refreshedAt = this.loadedAt = startedAt;
      return;
    }
    // A row readable now but not at the last refresh has an id at least this new.
    const from = firstIdAt(this.refreshedAt - marginMs);
    const fresh = await this.source.newest(capacity, from);
    const known = new Set(fresh.map((row) => row.id));
    const merged = [...fresh, ...this.rows.filter((row) => !known.has(row.id))].sort(newestFirst);
    // A full page of new rows may not be all of them; rows past `capacity` are let go.
    if (fresh.length === capacity || merged.length > capacity) this.complete = false;
    this.rows = merged.slice(0, capacity);
    this.refreshedAt = startedAt;
  }
}
