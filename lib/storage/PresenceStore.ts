/**
 * Who is online (docs/storage.md, "Presence"): per user, the connections the SignalR Service
 * confirmed, and their count. Two implementations: Table Storage and memory (tests).
 */
export interface PresenceStore {
  /** Records a connection; true when it is the user's first (they just came online). */
  add(user: string, connectionId: string, now?: number): Promise<boolean>;
  /** Forgets a connection; true when it was the user's last (they just went offline). */
  remove(user: string, connectionId: string): Promise<boolean>;
  /** Whether this connection of this user is recorded. */
  has(user: string, connectionId: string): Promise<boolean>;
  /** Users with at least one connection, by name. */
  online(): Promise<OnlineUser[]>;
  /** Every recorded connection, for the check of those whose disconnect never arrived. */
  connections(): Promise<KnownConnection[]>;
  /** Notes when a connection was last confirmed alive; 0 asks the next check to ask again. */
  markChecked(user: string, connectionId: string, at: number): Promise<void>;
}

export interface OnlineUser {
  readonly name: string;
  readonly connections: number;
}

export interface KnownConnection {
  readonly user: string;
  readonly connectionId: string;
  readonly connectedAt: number;
  readonly checkedAt: number;
}

/** Names in code-unit order, as the page lists them. */
export function byName(a: OnlineUser, b: OnlineUser): number {
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}
