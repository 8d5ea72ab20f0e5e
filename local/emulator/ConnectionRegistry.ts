import type { ClientConnection } from './ClientConnection';

/** The emulator's state: connections, and who is in which group (docs/signalr-service.md, "REST API", "Serverless mode"). */
export interface RegistryStats {
  readonly connections: number;
  readonly users: number;
  readonly groups: number;
  readonly userGroups: number;
}

function addTo<K, V>(map: Map<K, Set<V>>, key: K, value: V): void {
  let set = map.get(key);
  if (set === undefined) map.set(key, (set = new Set()));
  set.add(value);
}

function removeFrom<K, V>(map: Map<K, Set<V>>, key: K, value: V): boolean {
  const set = map.get(key);
  if (set === undefined || !set.delete(value)) return false;
  if (set.size === 0) map.delete(key);
  return true;
}

/**
 * Connections by id and by user, connection-group membership (ends with the connection) and
 * user-group membership (persists, with an optional expiry, and applies to later connections).
 */
export class ConnectionRegistry {
  readonly connections = new Map<string, ClientConnection>();
  private readonly byUser = new Map<string, Set<ClientConnection>>();
  private readonly byGroup = new Map<string, Set<ClientConnection>>();
  private readonly groupsOfConnection = new Map<ClientConnection, Set<string>>();
  /** user → group → expiry (ms since epoch, Infinity when no ttl). */
  private readonly userGroups = new Map<string, Map<string, number>>();

  add(connection: ClientConnection): void {
    this.connections.set(connection.id, connection);
    if (connection.userId === undefined) return;
    addTo(this.byUser, connection.userId, connection);
    const groups = this.userGroups.get(connection.userId);
    if (groups === undefined) return;
    const now = Date.now();
    for (const [group, expiry] of groups)
      if (expiry > now) this.addConnectionToGroup(connection, group);
  }

  remove(connection: ClientConnection): void {
    if (this.connections.get(connection.id) !== connection) return;
    this.connections.delete(connection.id);
    if (connection.userId !== undefined) removeFrom(this.byUser, connection.userId, connection);
    for (const group of this.groupsOfConnection.get(connection) ?? [])
      removeFrom(this.byGroup, group, connection);
    this.groupsOfConnection.delete(connection);
  }

  connectionsOfUser(userId: string): ReadonlySet<ClientConnection> {
    return this.byUser.get(userId) ?? new Set();
  }

  connectionsInGroup(group: string): ReadonlySet<ClientConnection> {
    return this.byGroup.get(group) ?? new Set();
  }

  addConnectionToGroup(connection: ClientConnection, group: string): void {
    addTo(this.byGroup, group, connection);
    addTo(this.groupsOfConnection, connection, group);
  }

  removeConnectionFromGroup(connection: ClientConnection, group: string): boolean {
    removeFrom(this.groupsOfConnection, connection, group);
    return removeFrom(this.byGroup, group, connection);
  }

  removeConnectionFromAllGroups(connection: ClientConnection): void {
    for (const group of [...(this.groupsOfConnection.get(connection) ?? [])])
      this.removeConnectionFromGroup(connection, group);
  }

  /** Adds a user to a group now and for their later connections, until `ttlSeconds` pass. */
  addUserToGroup(userId: string, group: string, ttlSeconds?: number): void {
    let groups = this.userGroups.get(userId);
    if (groups === undefined) this.userGroups.set(userId, (groups = new Map()));
    groups.set(group, ttlSeconds === undefined ? Infinity : Date.now() + ttlSeconds * 1000);
    for (const connection of this.connectionsOfUser(userId))
      this.addConnectionToGroup(connection, group);
  }

  removeUserFromGroup(userId: string, group: string): void {
    const groups = this.userGroups.get(userId);
    groups?.delete(group);
    if (groups?.size === 0) this.userGroups.delete(userId);
    for (const connection of this.connectionsOfUser(userId))
      this.removeConnectionFromGroup(connection, group);
  }

  removeUserFromAllGroups(userId: string): void {
    for (const group of [...(this.userGroups.get(userId)?.keys() ?? [])])
      this.removeUserFromGroup(userId, group);
    for (const connection of this.connectionsOfUser(userId))
      this.removeConnectionFromAllGroups(connection);
  }

  isUserInGroup(userId: string, group: string): boolean {
    const expiry = this.userGroups.get(userId)?.get(group);
    if (expiry !== undefined && expiry > Date.now()) return true;
    return [...this.connectionsOfUser(userId)].some(
      (connection) => this.groupsOfConnection.get(connection)?.has(group) === true,
    );
  }

  /** Forgets user-group memberships whose ttl has passed. */
  expireUserGroups(now: number): void {
    for (const [userId, groups] of this.userGroups) {
      for (const [group, expiry] of groups)
        if (expiry <= now) this.removeUserFromGroup(userId, group);
    }
  }

  stats(): RegistryStats {
    return {
      connections: this.connections.size,
      users: this.byUser.size,
      groups: this.byGroup.size,
      userGroups: this.userGroups.size,
    };
  }
}
