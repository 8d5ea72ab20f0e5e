import type { AzureFunction, Context } from '@azure/functions';

/** What the signalRConnectionInfo input binding hands the function (spec §4, Functions). */
export interface SignalRConnectionInfo {
  readonly url: string;
  readonly accessToken: string;
}

/**
 * Returns the SignalR connection info for the signed-in principal. The binding has already
 * issued a client token whose user id is `{headers.x-ms-client-principal-name}`; when nobody is
 * signed in the binding expression fails and the host answers 500 before this runs (which is
 * why the front door answers 401 first).
 */
const negotiate: AzureFunction = async function (context: Context): Promise<void> {
  const info = context.bindings.connectionInfo as SignalRConnectionInfo;
  context.res = {
    status: 200,
    headers: { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' },
    body: { url: info.url, accessToken: info.accessToken },
  };
};

export default negotiate;
