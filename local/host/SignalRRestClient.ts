import { Agent as HttpAgent, request as httpRequest } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { createServerToken } from '../signalr/accessTokens';
import { convertOutputItem, type SignalROutputItem } from './signalROutput';
import {
  audienceBase,
  parseConnectionString,
  serverBaseUrl,
  type SignalRConnectionString,
} from '../signalr/ConnectionString';

const TOKEN_LIFETIME_SECONDS = 3600;
/** Renew a cached token this long before it expires. */
const TOKEN_RENEW_MARGIN_MS = 5 * 60 * 1000;

/** The REST API version the Functions extension's Management SDK calls (RestApiProvider.cs). */
export const REST_API_VERSION = '2022-06-01';

/** .NET's string.IsNullOrEmpty, negated: "" counts as absent. */
const present = (value: string | undefined): value is string =>
  value !== undefined && value.length > 0;

/**
 * One path segment, percent-encoded, dots included: `encodeURIComponent('..')` is `..`, which a
 * server resolves as a dot segment, turning `/users/../:send` into the hub's broadcast
 * (docs/security.md, "Names").
 */
export function encodePathSegment(value: string): string {
  return encodeURIComponent(value).replace(/\./g, '%2E');
}

/**
 * Calls the SignalR Service REST API (2022-06-01) of whatever connection string it is given: the
 * emulator or Azure, the same code. The hot path of every chat message: keep-alive sockets and
 * server tokens cached per URL until near expiry.
 */
export class SignalRRestClient {
  private readonly cs: SignalRConnectionString;
  private readonly base: string;
  /** Parsed once: every chat message's REST call needs its parts. */
  private readonly baseUrl: URL;
  private readonly agent: HttpAgent;
  private readonly tokens = new Map<string, { token: string; renewAt: number }>();

  constructor(connectionString: string) {
    this.cs = parseConnectionString(connectionString);
    this.base = serverBaseUrl(this.cs);
    this.baseUrl = new URL(this.base);
    this.agent = this.base.startsWith('https:')
      ? new HttpsAgent({ keepAlive: true, maxSockets: 64 })
      : new HttpAgent({ keepAlive: true, maxSockets: 64 });
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
    const h = `/api/hubs/${encodePathSegment(hub.toLowerCase())}`;
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
      // Adding a connection that has gone is not an error (RestHubLifetimeManager.cs).
      if (item.action === 'add')
        return this.call('PUT', path(), undefined, 'Error.Connection.NotExisted');
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

  private async token(path: string): Promise<string> {
    const cached = this.tokens.get(path);
    if (cached !== undefined && cached.renewAt > Date.now()) return cached.token;
    const token = await createServerToken(
      this.cs,
      `${audienceBase(this.cs)}${path}`,
      TOKEN_LIFETIME_SECONDS,
    );
    if (this.tokens.size > 10_000) this.tokens.clear();
    this.tokens.set(path, {
      token,
      renewAt: Date.now() + TOKEN_LIFETIME_SECONDS * 1000 - TOKEN_RENEW_MARGIN_MS,
    });
    return token;
  }

  /**
   * One REST call. `expectedNotFound` is an `x-ms-error-code` whose 404 the SDK treats as done.
   * The token's audience is the URL with its query, as the Management SDK signs it.
   */
  private async call(
    method: string,
    resource: string,
    body?: string,
    expectedNotFound?: string,
  ): Promise<void> {
    const path = `${resource}?api-version=${REST_API_VERSION}`;
    const authorization = `Bearer ${await this.token(path)}`;
    const base = this.baseUrl;
    const send = base.protocol === 'https:' ? httpsRequest : httpRequest;
    await new Promise<void>((resolve, reject) => {
      const headers: Record<string, string | number> = { Authorization: authorization };
      if (body !== undefined)
        Object.assign(headers, {
          'Content-Type': 'application/json',
          'Content-Length': Buffer.byteLength(body),
        });
      // The path goes as an option, not in a URL string: a URL string is parsed, and the parser
      // would resolve an encoded `%2E%2E` user id into the hub's broadcast path.
      const target = {
        protocol: base.protocol,
        hostname: base.hostname,
        port: base.port,
        path: `${base.pathname.replace(/\/$/, '')}${path}`,
      };
      const req = send({ ...target, method, agent: this.agent, headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          const status = res.statusCode ?? 0;
          const expected =
            status === 404 &&
            expectedNotFound !== undefined &&
            res.headers['x-ms-error-code'] === expectedNotFound;
          if ((status >= 200 && status < 300) || expected) resolve();
          else
            reject(
              new Error(
                `SignalR Service answered ${status} to ${method} ${path}: ${Buffer.concat(chunks).toString().slice(0, 200)}`,
              ),
            );
        });
      });
      req.on('error', (error) =>
        reject(new Error(`SignalR Service at ${this.base} is unreachable: ${error.message}`)),
      );
      req.end(body);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}
