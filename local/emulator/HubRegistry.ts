import type { ClientConnection } from './ClientConnection';
import { ConnectionRegistry, type RegistryStats } from './ConnectionRegistry';

/**
 * One ConnectionRegistry per hub (names compared lowercased): users, groups and connections of
 * one hub never appear in another, as in the service (docs/signalr-service.md, "REST API").
 */
export class HubRegistry {
  private readonly hubs = new Map<string, ConnectionRegistry>();

  /** The hub's registry, created on first use. */
  of(hub: string): ConnectionRegistry {
    const key = hub.toLowerCase();
    let registry = this.hubs.get(key);
    if (registry === undefined) this.hubs.set(key, (registry = new ConnectionRegistry()));
    return registry;
  }

  add(connection: ClientConnection): void {
    this.of(connection.hub).add(connection);
  }

  remove(connection: ClientConnection): void {
    this.hubs.get(connection.hub.toLowerCase())?.remove(connection);
  }

  /** Every live connection of every hub. */
  *connections(): IterableIterator<ClientConnection> {
    for (const registry of this.hubs.values()) yield* registry.connections.values();
  }

  expireUserGroups(now: number): void {
    for (const registry of this.hubs.values()) registry.expireUserGroups(now);
  }

  stats(): RegistryStats {
    const total = { connections: 0, users: 0, groups: 0, userGroups: 0 };
    for (const registry of this.hubs.values()) {
      const stats = registry.stats();
      total.connections += stats.connections;
      total.users += stats.users;
      total.groups += stats.groups;
      total.userGroups += stats.userGroups;
    }
    return total;
  }
}
