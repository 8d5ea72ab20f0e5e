import { odata } from '@azure/data-tables';
import { userPartition } from './partitionKey';
import { byName, type KnownConnection, type OnlineUser, type PresenceStore } from './PresenceStore';
import { changeCounted, COUNT } from './countedRows';
import { isEntityNotFound, type TableAccount } from './tables';

/**
 * Who is online, in Table Storage (docs/storage.md, "Presence"). Per user, one partition: a
 * `count` row with the number of live connections, and a `c:<connection id>` row each. A
 * connect or disconnect changes both in one entity-group transaction, guarded by ETags and
 * retried on a conflict, so two tabs connecting at once still count to 2 and exactly one of
 * them is the first: userOnline and userOffline go out once per user, not per tab.
 */
const CONNECTIONS = 'connections';

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

export class TablePresenceStore implements PresenceStore {
  constructor(private readonly account: TableAccount) {}

  /**
   * Adds or removes one connection row and moves the user's count by one (countedRows.ts);
   * true when the count crossed zero (the user came online, or went offline). Nothing changes
   * for a connection already recorded (adding) or already gone (removing).
   */
  private async changeConnections(
    user: string,
    connectionId: string,
    adding: boolean,
    now: number,
  ): Promise<boolean> {
    const next = await changeCounted(this.account, {
      table: CONNECTIONS,
      partitionKey: userPartition(user),
      rowKey: connectionKey(connectionId),
      adding,
      row: { name: user, connectedAt: now },
      countProperty: 'count',
      countRow: { name: user },
      dependency: 'presence',
      subject: `Presence of ${JSON.stringify(user)}`,
    });
    return next !== undefined && next === (adding ? 1 : 0);
  }

  add(user: string, connectionId: string, now = Date.now()): Promise<boolean> {
    return this.changeConnections(user, connectionId, true, now);
  }

  remove(user: string, connectionId: string): Promise<boolean> {
    return this.changeConnections(user, connectionId, false, Date.now());
  }

  async has(user: string, connectionId: string): Promise<boolean> {
    return (
      (await this.account.find<ConnectionRow>(
        CONNECTIONS,
        userPartition(user),
        connectionKey(connectionId),
      )) !== undefined
    );
  }

  online(): Promise<OnlineUser[]> {
    return this.account.run(CONNECTIONS, async (table, options) => {
      const users: OnlineUser[] = [];
      for await (const row of table.listEntities<CountRow>({
        ...options,
        queryOptions: { filter: odata`RowKey eq ${COUNT} and count gt 0` },
      }))
        users.push({ name: row.name, connections: row.count });
      return users.sort(byName);
    });
  }

  connections(): Promise<KnownConnection[]> {
    return this.account.run(CONNECTIONS, async (table, options) => {
      const found: KnownConnection[] = [];
      for await (const row of table.listEntities<ConnectionRow>({
        ...options,
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

  async markChecked(user: string, connectionId: string, at: number): Promise<void> {
    await this.account.run(CONNECTIONS, async (table, options) => {
      try {
        await table.updateEntity(
          { partitionKey: userPartition(user), rowKey: connectionKey(connectionId), checkedAt: at },
          'Merge',
          options,
        );
      } catch (error) {
        // Removed meanwhile: nothing to mark.
        if (!isEntityNotFound(error)) throw error;
      }
    });
  }
}
