import { unavailable, type Dependency } from '../HttpError';
import { backOff, type TableAccount } from './tables';

/**
 * Rows counted in their partition (a user's connections, a room's members): the partition's
 * `count` row holds how many there are, and adding or removing a row moves it by one in the
 * same entity-group transaction, guarded by the count row's ETag and retried on a conflict, so
 * two writers at once still count right and exactly one of them sees the count cross zero.
 */
export const COUNT = 'count';
const ATTEMPTS = 20;

export interface CountedChange {
  readonly table: string;
  readonly partitionKey: string;
  readonly rowKey: string;
  /** Add the row (with `row`'s properties) or remove it. */
  readonly adding: boolean;
  readonly row: Readonly<Record<string, unknown>>;
  /** The count row's property that holds the count, and its other properties. */
  readonly countProperty: string;
  readonly countRow: Readonly<Record<string, unknown>>;
  /** The most rows the partition may count: adding past it throws `overLimit()`, nothing written. */
  readonly limit?: number;
  readonly overLimit?: () => Error;
  /** What a 503 names, and what kept changing (`Room "x"`), when every attempt conflicted. */
  readonly dependency: Dependency;
  readonly subject: string;
}

/**
 * Adds or removes one row and moves the partition's count by one; the new count, or undefined
 * when nothing changed (the row was already there, or already gone).
 */
export async function changeCounted(
  account: TableAccount,
  change: CountedChange,
): Promise<number | undefined> {
  const { table, partitionKey, rowKey, adding, countProperty } = change;
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    const row = await account.find<object>(table, partitionKey, rowKey);
    if (adding === (row !== undefined)) return undefined;
    const count = await account.find<Record<string, number>>(table, partitionKey, COUNT);
    const next = Math.max(0, (count?.[countProperty] ?? (adding ? 0 : 1)) + (adding ? 1 : -1));
    // Checked on the count this transaction replaces, under its ETag: two adds at once cannot
    // both pass the limit.
    if (adding && change.limit !== undefined && next > change.limit) throw change.overLimit!();
    const counted = { ...change.countRow, partitionKey, rowKey: COUNT, [countProperty]: next };
    const done = await account.commit(table, [
      adding
        ? ['create', { ...change.row, partitionKey, rowKey }]
        : ['delete', { partitionKey, rowKey }],
      count === undefined
        ? ['create', counted]
        : ['update', counted, 'Replace', { etag: count.etag }],
    ]);
    if (done) return next;
    await backOff(attempt);
  }
  throw unavailable(
    change.dependency,
    new Error(`${change.subject} kept changing; gave up after ${ATTEMPTS} tries.`),
  );
}
