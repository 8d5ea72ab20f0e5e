import { CONNECTION_STRING_SETTING } from '../../signalr/constants';
import { requireSetting } from '../localSettings';
import { SignalRRestClient } from '../SignalRRestClient';
import type { Binding } from './Binding';

/**
 * `signalR` output: each item a message or a group action, sent through the REST API of the
 * connection string in `connectionStringSetting`. One keep-alive client per connection string.
 */
export function createSignalRBinding(): Binding {
  const clients = new Map<string, SignalRRestClient>();
  return {
    type: 'signalR',
    write: async (config, value, invocation) => {
      if (value === undefined) return;
      const setting = String(config.connectionStringSetting ?? CONNECTION_STRING_SETTING);
      const connectionString = requireSetting(invocation.settings, setting);
      let client = clients.get(connectionString);
      if (client === undefined)
        clients.set(connectionString, (client = new SignalRRestClient(connectionString)));
      await client.sendAll(String(config.hubName), value);
    },
    close: () => {
      for (const client of clients.values()) client.close();
      clients.clear();
    },
  };
}
