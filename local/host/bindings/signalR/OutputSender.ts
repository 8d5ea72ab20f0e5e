import { RestClient, encodePathSegment, hubPath } from '../../../../lib/signalr/RestClient';
import { convertOutputItem, type SignalROutputItem } from './outputItem';

/** .NET's string.IsNullOrEmpty, negated: "" counts as absent. */
const present = (value: string | undefined): value is string =>
  value !== undefined && value.length > 0;

/**
 * What the signalR output binding does with each item it is given: the REST calls the Functions
 * extension makes (Azure/azure-sdk-for-net, Microsoft.Azure.WebJobs.Extensions.SignalRService,
 * SignalRAsyncCollector.cs), through the one REST client (lib/signalr/RestClient.ts).
 */
export class SignalROutputSender {
  private readonly rest: RestClient;

  constructor(connectionString: string) {
    this.rest = new RestClient(connectionString);
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
    const h = hubPath(hub);
    const segment = (value: string) => encodePathSegment(value);
    if (item.kind === 'message') {
      const body = JSON.stringify({ target: item.target, arguments: item.arguments });
      if (present(item.connectionId))
        return this.call('POST', `${h}/connections/${segment(item.connectionId)}/:send`, body);
      if (present(item.userId))
        return this.call('POST', `${h}/users/${segment(item.userId)}/:send`, body);
      if (present(item.groupName))
        return this.call('POST', `${h}/groups/${segment(item.groupName)}/:send`, body);
      return this.call('POST', `${h}/:send`, body);
    }
    const needGroup = (): string => {
      if (!present(item.groupName))
        throw new Error("Argument cannot be null or empty. (Parameter 'groupName')");
      return segment(item.groupName);
    };
    if (present(item.connectionId)) {
      const path = () => `${h}/groups/${needGroup()}/connections/${segment(item.connectionId!)}`;
      if (item.action === 'add') return this.addConnection(path());
      if (item.action === 'remove') return this.call('DELETE', path());
      return; // removeAll (or an unnamed action) with a connectionId: ignored, as in Azure.
    }
    if (present(item.userId)) {
      const user = `${h}/users/${segment(item.userId)}/groups`;
      if (item.action === 'add') return this.call('PUT', `${user}/${needGroup()}`);
      if (item.action === 'remove') return this.call('DELETE', `${user}/${needGroup()}`);
      if (item.action === 'removeAll') return this.call('DELETE', user);
      return;
    }
    throw new Error('ConnectionId and UserId cannot be null or empty together');
  }

  /** Adding a connection that has gone is not an error (RestHubLifetimeManager.cs). */
  private async addConnection(path: string): Promise<void> {
    const answer = await this.rest.call('PUT', path, undefined, { allow: [404] });
    if (answer.status === 404 && answer.errorCode !== 'Error.Connection.NotExisted')
      throw new Error(`SignalR Service answered 404 to PUT ${path}.`);
  }

  private async call(method: string, resource: string, body?: string): Promise<void> {
    await this.rest.call(method, resource, body);
  }

  close(): void {
    this.rest.close();
  }
}
