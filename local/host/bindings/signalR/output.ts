import { Setting } from '../../../../lib/settings';
import { requireSetting } from '../../localSettings';
import { SignalROutputSender } from './OutputSender';
import type { Binding } from '../Binding';

/**
 * `signalR` output: each item a message or a group action, sent through the REST API of the
 * connection string in `connectionStringSetting`. One keep-alive client per connection string.
 */
export function createSignalRBinding(): Binding {
  const clients = new Map<string, SignalROutputSender>();
  return {
    type: 'signalR',
    write: async (config, value, invocation) => {
      if (value === undefined) return;
      const setting = String(config.connectionStringSetting ?? Setting.SignalR);
      const connectionString = requireSetting(invocation.settings, setting);
      let client = clients.get(connectionString);
      if (client === undefined)
        clients.set(connectionString, (client = new SignalROutputSender(connectionString)));
      await client.sendAll(String(config.hubName), value);
    },
    close: () => {
      for (const client of clients.values()) client.close();
      clients.clear();
    },
  };
}
