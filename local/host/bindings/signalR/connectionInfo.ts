import { Setting } from '../../../../lib/settings';
import { createConnectionInfo } from '../../../../lib/signalr/tokens';
import { parseConnectionString } from '../../../../lib/signalr/ConnectionString';
import { resolveExpression } from '../../bindingExpressions';
import { requireSetting } from '../../localSettings';
import type { Binding } from '../Binding';

/**
 * `signalRConnectionInfo` input: `{url, accessToken}` for `hubName` and `userId` (a binding
 * expression), from the connection string in `connectionStringSetting`.
 */
export const signalRConnectionInfo: Binding = {
  type: 'signalRConnectionInfo',
  read: async (config, invocation) => {
    const userId =
      config.userId === undefined
        ? undefined
        : resolveExpression(String(config.userId), invocation.bindingData);
    const setting = String(config.connectionStringSetting ?? Setting.SignalR);
    const connectionString = requireSetting(invocation.settings, setting);
    return createConnectionInfo(parseConnectionString(connectionString), {
      hub: String(config.hubName),
      userId,
    });
  },
};
