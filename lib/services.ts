import { HUB_NAME } from './hub';
import { readSettings, type ChatSettings } from './settings';
import type { HistoryStore } from './storage/HistoryStore';
import type { PresenceStore } from './storage/PresenceStore';
import type { NameRegistry } from './storage/NameRegistry';
import type { RoomStore } from './storage/RoomStore';
import { TableHistoryStore } from './storage/TableHistoryStore';
import { TableNameRegistry } from './storage/TableNameRegistry';
import { TablePresenceStore } from './storage/TablePresenceStore';
import { TableRoomStore } from './storage/TableRoomStore';
import { TableAccount } from './storage/tables';
import { RestServiceConnections, type ServiceConnections } from './signalr/ServiceConnections';

/**
 * What the functions work with, made once per instance from the app settings (lib/settings.ts)
 * and passed to each function's factory (`createSendMessage(services)`). Tests pass in-memory
 * stores instead (local/storage/Memory*.ts).
 */
export interface ChatServices {
  readonly history: HistoryStore;
  readonly presence: PresenceStore;
  readonly rooms: RoomStore;
  readonly names: NameRegistry;
  readonly signalR: ServiceConnections;
}

export function createServices(settings: ChatSettings): ChatServices {
  return {
    history: new TableHistoryStore(
      new TableAccount(settings.storageConnectionString, 'history'),
      settings.sendLimit,
    ),
    presence: new TablePresenceStore(
      new TableAccount(settings.storageConnectionString, 'presence'),
    ),
    rooms: new TableRoomStore(new TableAccount(settings.storageConnectionString, 'rooms')),
    names: new TableNameRegistry(new TableAccount(settings.storageConnectionString, 'names')),
    signalR: new RestServiceConnections(settings.signalRConnectionString, HUB_NAME),
  };
}

let made: ChatServices | undefined;

/**
 * This instance's services, made on first use from the app settings (in place by then: the host
 * sets them before it runs anything), then kept for the life of the instance.
 */
export function instanceServices(): ChatServices {
  return (made ??= createServices(readSettings()));
}
