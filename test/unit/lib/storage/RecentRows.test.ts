import { RecentRows, type RowSource } from '../../../../lib/storage/RecentRows';
import { firstIdAt } from '../../../../lib/messageIds';

/**
 * The public rows an instance keeps (lib/RecentRows.ts): every read is answered after a storage
 * query that started after it arrived, so nothing readable before a read began is missing from
 * it, including rows another instance stamped with a clock that is behind ours.
 */
interface Row {
  readonly id: string;
}

/** An id accepted at `ms`, the `n`th of that millisecond. */
const idAt = (ms: number, n = 0): string =>
  `${String(ms).padStart(13, '0')}${String(n).padStart(12, '0')}`;

/** A partition in memory; `hold()` keeps the next query waiting until `release()`. */
class Partition implements RowSource<Row> {
  readonly rows: Row[] = [];
  readonly queries: (string | undefined)[] = [];
  failNext = false;
  private gate?: Promise<void>;
  private open?: () => void;

  add(...ids: string[]): void {
    this.rows.push(...ids.map((id) => ({ id })));
  }

  hold(): void {
    this.gate = new Promise((resolve) => (this.open = resolve));
  }

  release(): void {
    this.open?.();
    this.gate = undefined;
  }

  async newest(count: number, fromId?: string): Promise<Row[]> {
    this.queries.push(fromId);
    // Answers what is readable when the query starts, even if it is held before it returns.
    const answer = this.rows
      .filter((row) => fromId === undefined || row.id >= fromId)
      .sort((a, b) => (a.id < b.id ? 1 : -1))
      .slice(0, count);
    await this.gate;
    if (this.failNext) {
      this.failNext = false;
      throw new Error('storage is down');
    }
    return answer;
  }
}

const MARGIN = 5_000;
const T0 = 1_800_000_000_000;

function setUp(capacity = 5) {
  const partition = new Partition();
  let now = T0;
  const clock = {
    advance: (ms: number) => (now += ms),
    get now() {
      return now;
    },
  };
  const recent = new RecentRows<Row>(partition, {
    capacity,
    marginMs: MARGIN,
    reloadMs: 60_000,
    now: () => now,
  });
  return { partition, recent, clock };
}

const ids = (rows: readonly Row[] | undefined) => rows?.map((row) => row.id);

describe('RecentRows', () => {
  it('loads the newest rows once, then asks storage only for rows from the margin before its last read', async () => {
    const { partition, recent, clock } = setUp();
    partition.add(idAt(T0 - 3000), idAt(T0 - 2000), idAt(T0 - 1000));
    expect(ids(await recent.read({ limit: 2 }))).toEqual([idAt(T0 - 1000), idAt(T0 - 2000)]);
    clock.advance(10_000);
    partition.add(idAt(T0 + 9000));
    expect(ids(await recent.read({ limit: 2 }))).toEqual([idAt(T0 + 9000), idAt(T0 - 1000)]);
    expect(partition.queries).toEqual([undefined, firstIdAt(T0 - MARGIN)]);
  });

  it('finds a row another instance stamped with a clock behind ours, up to the margin', async () => {
    const { partition, recent, clock } = setUp();
    partition.add(idAt(T0 - 100));
    await recent.read({ limit: 5 });
    clock.advance(1_000);
    // Readable only now, with an id 4.9 s older than our last read.
    partition.add(idAt(T0 - 4_900));
    expect(ids(await recent.read({ limit: 5 }))).toEqual([idAt(T0 - 100), idAt(T0 - 4_900)]);
    expect(ids(await recent.read({ after: idAt(T0 - 100), max: 10 }))).toEqual([
      idAt(T0 - 100),
      idAt(T0 - 4_900),
    ]);
  });

  it('answers a read only after a query that started after it arrived; reads meanwhile share one', async () => {
    const { partition, recent } = setUp();
    await recent.read({ limit: 5 });
    partition.hold();
    const early = recent.read({ limit: 5 });
    await Promise.resolve();
    await Promise.resolve();
    // Accepted (202) while the first query runs: every read that arrives from now on must see it.
    partition.add(idAt(T0 + 1));
    const late = Array.from({ length: 10 }, () => recent.read({ limit: 5 }));
    partition.release();
    expect(ids(await early)).toEqual([]);
    for (const read of late) expect(ids(await read)).toEqual([idAt(T0 + 1)]);
    // The first load, the running query, and one more for all ten that came during it.
    expect(partition.queries).toHaveLength(3);
  });

  it('pages from the rows it holds while they reach, and hands back to storage beyond them', async () => {
    const { partition, recent } = setUp(3);
    partition.add(...[1, 2, 3, 4, 5].map((s) => idAt(T0 - s * 1000)));
    expect(ids(await recent.read({ limit: 2, before: idAt(T0 - 1000) }))).toEqual([
      idAt(T0 - 2000),
      idAt(T0 - 3000),
    ]);
    // Holds 3 of 5 rows: the page before the oldest held one, and a long catch-up, are not its.
    expect(await recent.read({ limit: 2, before: idAt(T0 - 2000) })).toBeUndefined();
    expect(await recent.read({ after: idAt(T0 - 4000), max: 10 })).toBeUndefined();
    expect(await recent.read({ limit: 4 })).toBeUndefined();
  });

  it('answers from a partition it holds whole, however far back the query reaches', async () => {
    const { partition, recent } = setUp(5);
    partition.add(idAt(T0 - 2000), idAt(T0 - 1000));
    expect(ids(await recent.read({ limit: 50 }))).toEqual([idAt(T0 - 1000), idAt(T0 - 2000)]);
    expect(ids(await recent.read({ limit: 5, before: idAt(T0 - 1000) }))).toEqual([
      idAt(T0 - 2000),
    ]);
    expect(ids(await recent.read({ after: idAt(0), max: 10 }))).toHaveLength(2);
  });

  it('keeps only the newest rows when more arrive between reads than it holds', async () => {
    const { partition, recent, clock } = setUp(3);
    partition.add(idAt(T0 - 20_000), idAt(T0 - 10_000));
    await recent.read({ limit: 3 });
    clock.advance(1_000);
    // Two new and two held make four: the oldest goes, and the rows are no longer the whole.
    partition.add(idAt(T0 + 100), idAt(T0 + 200));
    expect(ids(await recent.read({ limit: 3 }))).toEqual([
      idAt(T0 + 200),
      idAt(T0 + 100),
      idAt(T0 - 10_000),
    ]);
    expect(await recent.read({ limit: 3, before: idAt(T0 + 200) })).toBeUndefined();
  });

  it('no longer holds the whole partition once a full page of new rows arrives', async () => {
    const { partition, recent, clock } = setUp(3);
    expect(await recent.read({ limit: 3 })).toEqual([]);
    clock.advance(1_000);
    partition.add(idAt(T0 + 100), idAt(T0 + 200), idAt(T0 + 300), idAt(T0 + 400));
    expect(ids(await recent.read({ limit: 3 }))).toEqual([
      idAt(T0 + 400),
      idAt(T0 + 300),
      idAt(T0 + 200),
    ]);
    expect(await recent.read({ limit: 3, before: idAt(T0 + 400) })).toBeUndefined();
  });

  it('fails a read while storage is down, and the next read tries again', async () => {
    const { partition, recent } = setUp();
    partition.add(idAt(T0));
    partition.failNext = true;
    await expect(recent.read({ limit: 5 })).rejects.toThrow('storage is down');
    expect(ids(await recent.read({ limit: 5 }))).toEqual([idAt(T0)]);
  });

  it('reads everything again after reloadMs, so rows storage lost do not live on', async () => {
    const { partition, recent, clock } = setUp();
    partition.add(idAt(T0 - 10_000));
    await recent.read({ limit: 5 });
    partition.rows.length = 0;
    clock.advance(60_000);
    expect(ids(await recent.read({ limit: 5 }))).toEqual([]);
    expect(partition.queries).toEqual([undefined, undefined]);
  });
});
