import { odata, type TableClient } from '@azure/data-tables';
import { partitionOf } from './historyStore';
import { isTableNotFound, statusOf, withTable } from './tables';

/**
 * Who is online, in Table Storage (docs/storage.md, "Presence"). Per user, one partition: a
 * `count` row with the number of live connections, and a `c:<connection id>` row each. A
 * connect or disconnect changes both in one entity-group transaction, guarded by ETags and
 * retried on a conflict, so two tabs connecting at once still count to 2 and exactly one of
 * them is the first: userOnline and userOffline go out once per user, not per tab.
 */
const CONNECTIONS = 'connections';
const COUNT = 'count';
const ATTEMPTS = 20;

/** A short random wait before trying again, so concurrent tabs do not collide in lockstep. */
function backOff(attempt: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.random() * 10 * (attempt + 1)));
}

interface CountRow {
  readonly partitionKey: string;
  readonly rowKey: string;
  readonly name: string;
  readonly count: number;
}

interface ConnectionRow {
  readonly partitionKey: string;
  readonly rowKey: string;
  readonly name: string;
  readonly connectedAt: number;
  readonly checkedAt?: number;
}

const connectionKey = (connectionId: string) => `c:${connectionId}`;

async function find<T extends object>(
  partitionKey: string,
  rowKey: string,
): Promise<(T & { etag: string }) | undefined> {
  return withTable(CONNECTIONS, async (table) => {
    try {
      return (await table.getEntity<T>(partitionKey, rowKey)) as T & { etag: string };
    } catch (error) {
      if (statusOf(error) === 404 && !isTableNotFound(error)) return undefined;
      throw error;
    }
  });
}

/** Runs a transaction; false on a conflict (someone changed the rows meanwhile). */
async function commit(actions: Parameters<TableClient['submitTransaction']>[0]): Promise<boolean> {
  return withTable(CONNECTIONS, async (table) => {
    try {
      await table.submitTransaction(actions);
      return true;
    } catch (error) {
      const status = statusOf(error);
      // 409/412: someone changed the rows; 404: a row was deleted meanwhile. Read and try again.
      if (status === 409 || status === 412 || (status === 404 && !isTableNotFound(error)))
        return false;
      throw error;
    }
  });
}

/**
 * Adds or removes one connection row and moves the user's count by one, in one transaction;
 * true when the count crossed zero (the user came online, or went offline). Nothing changes
 * for a connection already recorded (adding) or already gone (removing).
 */
async function changeConnections(
  user: string,
  connectionId: string,
  adding: boolean,
  now: number,
): Promise<boolean> {
  const partitionKey = partitionOf(user);
  const rowKey = connectionKey(connectionId);
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    const row = await find<ConnectionRow>(partitionKey, rowKey);
    if (adding === (row !== undefined)) return false;
    const count = await find<CountRow>(partitionKey, COUNT);
    const next = Math.max(0, (count?.count ?? (adding ? 0 : 1)) + (adding ? 1 : -1));
    const counted = { partitionKey, rowKey: COUNT, name: user, count: next };
    const done = await commit([
      adding
        ? ['create', { partitionKey, rowKey, name: user, connectedAt: now }]
        : ['delete', { partitionKey, rowKey }],
      count === undefined
        ? ['create', counted]
        : ['update', counted, 'Replace', { etag: count.etag }],
    ]);
    if (done) return adding ? next === 1 : next === 0;
    await backOff(attempt);
  }
  throw new Error(
    `Presence of ${JSON.stringify(user)} kept changing; gave up after ${ATTEMPTS} tries.`,
  );
}

/** Records a connection; true when it is the user's first (they just came online). */
export function addConnection(
  user: string,
  connectionId: string,
  now = Date.now(),
): Promise<boolean> {
  return changeConnections(user, connectionId, true, now);
}

/** Forgets a connection; true when it was the user's last (they just went offline). */
export function removeConnection(user: string, connectionId: string): Promise<boolean> {
  return changeConnections(user, connectionId, false, Date.now());
}

export interface OnlineUser {
  readonly name: string;
  readonly connections: number;
}

/** Users with at least one connection, by name. */
export async function onlineUsers(): Promise<OnlineUser[]> {
  return withTable(CONNECTIONS, async (table) => {
    const users: OnlineUser[] = [];
    for await (const row of table.listEntities<CountRow>({
      queryOptions: { filter: odata`RowKey eq ${COUNT} and count gt 0` },
    }))
      users.push({ name: row.name, connections: row.count });
    return users.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  });
}

export interface KnownConnection {
  readonly user: string;
  readonly connectionId: string;
  readonly connectedAt: number;
  readonly checkedAt: number;
}

/** Every recorded connection, for the check of those whose disconnect never arrived. */
export async function knownConnections(): Promise<KnownConnection[]> {
  return withTable(CONNECTIONS, async (table) => {
    const found: KnownConnection[] = [];
    for await (const row of table.listEntities<ConnectionRow>({
      queryOptions: { filter: odata`RowKey gt ${'c:'} and RowKey lt ${'c;'}` },
    }))
      found.push({
        user: row.name,
        connectionId: row.rowKey.slice(2),
        connectedAt: row.connectedAt,
        checkedAt: row.checkedAt ?? row.connectedAt,
      });
    return found;
  });
}

/** Notes that a connection was found alive now. */
export async function markChecked(
  user: string,
  connectionId: string,
  now = Date.now(),
): Promise<void> {
  await withTable(CONNECTIONS, (table) =>
    table.updateEntity(
      { partitionKey: partitionOf(user), rowKey: connectionKey(connectionId), checkedAt: now },
      'Merge',
    ),
  );
}
