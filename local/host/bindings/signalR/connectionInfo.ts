import { Setting } from '../../../../lib/settings';
import { createConnectionInfo } from '../../../../lib/signalr/tokens';
import { parseConnectionString } from '../../../../lib/signalr/ConnectionString';
import { resolveExpression } from '../../bindingExpressions';
import { requireSetting } from '../../localSettings';
import type { Binding } from '../Binding';
import { customClaims } from './customClaims';

/**
 * `signalRConnectionInfo` input: `{url, accessToken}` for `hubName` and `userId` (a binding
 * expression), from the connection string in `connectionStringSetting`; with `idToken` (a
 * binding expression) and `claimTypeList`, the chosen claims of that token go into the client's.
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
    const idToken =
      config.idToken === undefined
        ? undefined
        : resolveExpression(String(config.idToken), invocation.bindingData);
    const claimTypeList = Array.isArray(config.claimTypeList)
      ? config.claimTypeList.map(String)
      : undefined;
    return createConnectionInfo(parseConnectionString(connectionString), {
      hub: String(config.hubName),
      userId,
      claims: customClaims(idToken, claimTypeList),
    });
  },
};
