import { unavailable } from '../../lib/HttpError';
import type { ServiceConnections } from '../../lib/signalr/ServiceConnections';
import { MemoryHistoryStore } from '../../local/storage/MemoryHistoryStore';
import { MemoryPresenceStore } from '../../local/storage/MemoryPresenceStore';
import { MemoryNameRegistry } from '../../lib/storage/NameRegistry';
import { MemoryRoomStore } from '../../local/storage/MemoryRoomStore';

/**
 * The SignalR Service as the functions ask it (which connections and users exist), in memory:
 * `connect` and `disconnect` say what the service knows; `down` makes every question fail as a
 * service that does not answer would.
 */
export class MemoryServiceConnections implements ServiceConnections {
  private readonly connections = new Map<string, string>();
  down = false;

  connect(user: string, connectionId: string): void {
    this.connections.set(connectionId, user);
  }

  disconnect(connectionId: string): void {
    this.connections.delete(connectionId);
  }

  private check(): void {
    if (this.down) throw unavailable('signalr', new Error('connect ECONNREFUSED'));
  }

  connectionExists(connectionId: string): Promise<boolean> {
    return Promise.resolve().then(() => (this.check(), this.connections.has(connectionId)));
  }

  userExists(userId: string): Promise<boolean> {
    return Promise.resolve().then(() => {
      this.check();
      return [...this.connections.values()].includes(userId);
    });
  }
}

/** Every service a function may need, in memory, with a clock the test moves. */
export function memoryServices(now: () => number = Date.now) {
  return {
    history: new MemoryHistoryStore({ burst: 10, perMinute: 60 }, now),
    presence: new MemoryPresenceStore(),
    rooms: new MemoryRoomStore(),
    names: new MemoryNameRegistry(),
    signalR: new MemoryServiceConnections(),
  };
}
