import {
  byName,
  type KnownConnection,
  type OnlineUser,
  type PresenceStore,
} from '../../lib/storage/PresenceStore';

/**
 * Presence in memory, with the rules of the Table Storage store (a connection counted once,
 * online on the first, offline on the last): for function-level tests. `fail` makes every call
 * throw, as storage that is down would; `calls` counts the calls made (each a storage round trip
 * in the Table Storage store).
 */
export class MemoryPresenceStore implements PresenceStore {
  private readonly rows = new Map<string, Map<string, KnownConnection>>();
  fail?: Error;
  calls = 0;

  private check(): void {
    this.calls++;
    if (this.fail) throw this.fail;
  }

  add(user: string, connectionId: string, now = Date.now()): Promise<boolean> {
    return Promise.resolve().then(() => {
      this.check();
      const own = this.rows.get(user) ?? new Map<string, KnownConnection>();
      if (own.has(connectionId)) return false;
      own.set(connectionId, { user, connectionId, connectedAt: now, checkedAt: now });
      this.rows.set(user, own);
      return own.size === 1;
    });
  }

  remove(user: string, connectionId: string): Promise<boolean> {
    return Promise.resolve().then(() => {
      this.check();
      const own = this.rows.get(user);
      if (own === undefined || !own.delete(connectionId)) return false;
      if (own.size > 0) return false;
      this.rows.delete(user);
      return true;
    });
  }

  has(user: string, connectionId: string): Promise<boolean> {
    return Promise.resolve().then(() => {
      this.check();
      return this.rows.get(user)?.has(connectionId) === true;
    });
  }

  online(): Promise<OnlineUser[]> {
    return Promise.resolve().then(() => {
      this.check();
      return [...this.rows].map(([name, own]) => ({ name, connections: own.size })).sort(byName);
    });
  }

  connections(): Promise<KnownConnection[]> {
    return Promise.resolve().then(() => {
      this.check();
      return [...this.rows.values()].flatMap((own) => [...own.values()]);
    });
  }

  markChecked(user: string, connectionId: string, at: number): Promise<void> {
    return Promise.resolve().then(() => {
      this.check();
      const row = this.rows.get(user)?.get(connectionId);
      if (row !== undefined) this.rows.get(user)!.set(connectionId, { ...row, checkedAt: at });
    });
  }
}
