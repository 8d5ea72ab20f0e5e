import { convertOutputItem, type SignalROutputItem } from './outputItem';
import { ServiceRestClient, escapeDataString } from './ServiceRestClient';

/** .NET's string.IsNullOrEmpty, negated: "" counts as absent. */
const present = (value: string | undefined): value is string =>
  value !== undefined && value.length > 0;

/**
 * What the signalR output binding does with each item it is given: the REST calls the Functions
 * extension makes (Azure/azure-sdk-for-net, Microsoft.Azure.WebJobs.Extensions.SignalRService,
 * SignalRAsyncCollector.cs), through the extension's own REST calls (ServiceRestClient.ts), not
 * the app's client.
 */
export class SignalROutputSender {
  private readonly rest: ServiceRestClient;

  constructor(connectionString: string) {
    this.rest = new ServiceRestClient(connectionString);
  }

  /** Sends the items one by one, in order; any failure rejects (the invocation fails with 500). */
  async sendAll(hub: string, value: unknown): Promise<void> {
    if (value === undefined || value === null) return;
    const items: unknown[] = Array.isArray(value) ? value : [value];
    for (const item of items) await this.sendOne(hub, convertOutputItem(item));
  }

  /**
   * One item, on the paths the Functions extension's Management SDK calls
   * (Azure/azure-signalr, src/Microsoft.Azure.SignalR.Management/RestApiProvider.cs), in the
   * order SignalRAsyncCollector.cs decides: connectionId, then userId, then groupName.
   */
  private async sendOne(hub: string, item: SignalROutputItem): Promise<void> {
    const segment = escapeDataString;
    const call = (method: string, path: string, expected404?: string) =>
      this.rest.call(method, hub, path, undefined, expected404);
    if (item.kind === 'message') {
      const payload = { target: item.target, arguments: item.arguments };
      const send = (path: string) => this.rest.call('POST', hub, path, payload);
      if (present(item.connectionId))
        return send(`/connections/${segment(item.connectionId)}/:send`);
      if (present(item.userId)) return send(`/users/${segment(item.userId)}/:send`);
      if (present(item.groupName)) return send(`/groups/${segment(item.groupName)}/:send`);
      return send('/:send');
    }
    const needGroup = (): string => {
      if (!present(item.groupName))
        throw new Error("Argument cannot be null or empty. (Parameter 'groupName')");
      return segment(item.groupName);
    };
    if (present(item.connectionId)) {
      const path = () => `/groups/${needGroup()}/connections/${segment(item.connectionId!)}`;
      // Adding a connection that has gone is not an error (RestHubLifetimeManager.AddToGroupAsync).
      if (item.action === 'add') return call('PUT', path(), 'Error.Connection.NotExisted');
      if (item.action === 'remove') return call('DELETE', path());
      return; // removeAll (or an unnamed action) with a connectionId: ignored, as in Azure.
    }
    if (present(item.userId)) {
      const user = `/users/${segment(item.userId)}/groups`;
      if (item.action === 'add') return call('PUT', `${user}/${needGroup()}`);
      if (item.action === 'remove') return call('DELETE', `${user}/${needGroup()}`);
      if (item.action === 'removeAll') return call('DELETE', user);
      return;
    }
    throw new Error('ConnectionId and UserId cannot be null or empty together');
  }

  close(): void {
    // fetch's keep-alive sockets close by themselves when idle.
  }
}
