import { Agent as HttpAgent, request as httpRequest } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { createServerToken } from '../signalr/accessTokens';
import {
  audienceBase,
  parseConnectionString,
  serverBaseUrl,
  type SignalRConnectionString,
} from '../signalr/ConnectionString';

/** The signalR output binding's items (docs/functions-host.md, "SignalR bindings"). */
export interface SignalROutputItem {
  readonly target?: unknown;
  readonly arguments?: unknown;
  readonly connectionId?: unknown;
  readonly userId?: unknown;
  readonly groupName?: unknown;
  readonly action?: unknown;
}

const TOKEN_LIFETIME_SECONDS = 3600;
/** Renew a cached token this long before it expires. */
const TOKEN_RENEW_MARGIN_MS = 5 * 60 * 1000;

const present = (value: unknown): value is string => typeof value === 'string' && value.length > 0;

/**
 * One path segment, percent-encoded, dots included: `encodeURIComponent('..')` is `..`, which a
 * server resolves as a dot segment, turning `/users/../:send` into the hub's broadcast
 * (docs/security.md, "Names").
 */
export function encodePathSegment(value: string): string {
  return encodeURIComponent(value).replace(/\./g, '%2E');
}

/**
 * Calls the SignalR Service REST API (v1) of whatever connection string it is given: the
 * emulator or Azure, the same code. The hot path of every chat message: keep-alive sockets and
 * server tokens cached per URL until near expiry.
 */
export class SignalRRestClient {
  private readonly cs: SignalRConnectionString;
  private readonly base: string;
  private readonly agent: HttpAgent;
  private readonly tokens = new Map<string, { token: string; renewAt: number }>();

  constructor(connectionString: string) {
    this.cs = parseConnectionString(connectionString);
    this.base = serverBaseUrl(this.cs);
    this.agent = this.base.startsWith('https:')
      ? new HttpsAgent({ keepAlive: true, maxSockets: 64 })
      : new HttpAgent({ keepAlive: true, maxSockets: 64 });
  }

  /** Sends the items one by one, in order; any failure rejects (the invocation fails with 500). */
  async sendAll(hub: string, value: unknown): Promise<void> {
    if (value === null || value === undefined) return;
    const items = Array.isArray(value) ? value : [value];
    for (const item of items) await this.sendOne(hub, item as SignalROutputItem);
  }

  private async sendOne(hub: string, item: SignalROutputItem): Promise<void> {
    const h = `/api/v1/hubs/${encodePathSegment(hub.toLowerCase())}`;
    if (typeof item !== 'object' || item === null)
      throw new Error(
        'Unable to convert JObject to valid output binding type: an item is not an object.',
      );
    if (item.action !== undefined) {
      const group = encodePathSegment(String(item.groupName ?? ''));
      if (!present(item.groupName) && item.action !== 'removeAll')
        throw new Error('A group action needs a groupName.');
      if (present(item.connectionId)) {
        const path = `${h}/groups/${group}/connections/${encodePathSegment(item.connectionId)}`;
        if (item.action === 'add') return this.call('PUT', path);
        if (item.action === 'remove') return this.call('DELETE', path);
      } else if (present(item.userId)) {
        const user = encodePathSegment(item.userId);
        if (item.action === 'add') return this.call('PUT', `${h}/groups/${group}/users/${user}`);
        if (item.action === 'remove')
          return this.call('DELETE', `${h}/groups/${group}/users/${user}`);
        if (item.action === 'removeAll') return this.call('DELETE', `${h}/users/${user}/groups`);
      }
      throw new Error(
        `Invalid group action '${String(item.action)}': use add or remove with a userId or connectionId, or removeAll with a userId.`,
      );
    }
    if (!present(item.target) || !Array.isArray(item.arguments)) {
      throw new Error(
        'Unable to convert JObject to valid output binding type: a message needs a target and an arguments array.',
      );
    }
    const body = JSON.stringify({ target: item.target, arguments: item.arguments });
    // Precedence connectionId > userId > groupName > broadcast; "" counts as absent.
    if (present(item.connectionId))
      return this.call('POST', `${h}/connections/${encodePathSegment(item.connectionId)}`, body);
    if (present(item.userId))
      return this.call('POST', `${h}/users/${encodePathSegment(item.userId)}`, body);
    if (present(item.groupName))
      return this.call('POST', `${h}/groups/${encodePathSegment(item.groupName)}`, body);
    return this.call('POST', h, body);
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

  private async call(method: string, path: string, body?: string): Promise<void> {
    const authorization = `Bearer ${await this.token(path)}`;
    const base = new URL(this.base);
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
          if (status >= 200 && status < 300) resolve();
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
