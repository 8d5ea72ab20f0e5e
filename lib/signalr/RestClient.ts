import { Agent as HttpAgent, request as httpRequest } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import {
  audienceBase,
  parseConnectionString,
  serverBaseUrl,
  type SignalRConnectionString,
} from './ConnectionString';
import { createServerToken } from './tokens';

/**
 * The SignalR Service data-plane REST API (2022-06-01, the version the Functions extension's
 * Management SDK calls: Azure/azure-signalr, src/Microsoft.Azure.SignalR.Management/
 * RestApiProvider.cs), for any connection string: the emulator or Azure, the same code. Used by
 * the functions (does a connection or user exist) and by the local host's signalR output binding
 * (sends, groups). Keep-alive sockets; server tokens cached per URL until near expiry.
 */
export const REST_API_VERSION = '2022-06-01';
const TOKEN_LIFETIME_SECONDS = 3600;
/** Renew a cached token this long before it expires. */
const TOKEN_RENEW_MARGIN_MS = 5 * 60 * 1000;
/** A REST call must be answered within this (docs/signalr-service.md, "REST API"). */
export const REST_DEADLINE_MS = 5_000;

/**
 * One path segment, percent-encoded, dots included: `encodeURIComponent('..')` is `..`, which a
 * server resolves as a dot segment, turning `/users/../:send` into the hub's broadcast
 * (docs/security.md, "Names").
 */
export function encodePathSegment(value: string): string {
  return encodeURIComponent(value).replace(/\./g, '%2E');
}

/** `/api/hubs/{hub}`: the hub lowercased, as the SDK sends it. */
export function hubPath(hub: string): string {
  return `/api/hubs/${encodePathSegment(hub.toLowerCase())}`;
}

/** The service did not answer, or answered with a failure; `status` 0 when it did not answer. */
export class RestError extends Error {
  constructor(
    readonly status: number,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'RestError';
  }

  /** Whether the same call can succeed later: no answer, a timeout, 429 or a 5xx. */
  get transient(): boolean {
    return this.status === 0 || this.status === 408 || this.status === 429 || this.status >= 500;
  }
}

export interface RestAnswer {
  readonly status: number;
  /** `x-ms-error-code`, on a failure. */
  readonly errorCode?: string;
}

export class RestClient {
  private readonly cs: SignalRConnectionString;
  /** Parsed once: every chat message's REST call needs its parts. */
  private readonly baseUrl: URL;
  private readonly agent: HttpAgent;
  private readonly tokens = new Map<string, { token: string; renewAt: number }>();

  constructor(connectionString: string) {
    this.cs = parseConnectionString(connectionString);
    this.baseUrl = new URL(serverBaseUrl(this.cs));
    this.agent =
      this.baseUrl.protocol === 'https:'
        ? new HttpsAgent({ keepAlive: true, maxSockets: 64 })
        : new HttpAgent({ keepAlive: true, maxSockets: 64 });
  }

  /** HEAD on a resource: true on 200, false on 404, a RestError otherwise. */
  async exists(resource: string): Promise<boolean> {
    const { status } = await this.call('HEAD', resource, undefined, { allow: [404] });
    return status !== 404;
  }

  private token(path: string): string {
    const cached = this.tokens.get(path);
    if (cached !== undefined && cached.renewAt > Date.now()) return cached.token;
    const token = createServerToken(
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
   * One REST call; resolves on 2xx or a status in `allow`, rejects with a RestError otherwise or
   * when no answer comes within REST_DEADLINE_MS. The token's audience is the URL with its query,
   * as the Management SDK signs it.
   */
  call(
    method: string,
    resource: string,
    body?: string,
    options: { allow?: readonly number[] } = {},
  ): Promise<RestAnswer> {
    const path = `${resource}?api-version=${REST_API_VERSION}`;
    const base = this.baseUrl;
    const send = base.protocol === 'https:' ? httpsRequest : httpRequest;
    const headers: Record<string, string | number> = {
      Authorization: `Bearer ${this.token(path)}`,
    };
    if (body !== undefined)
      Object.assign(headers, {
        'Content-Type': 'application/json',
        'Content-Length': Buffer.byteLength(body),
      });
    return new Promise<RestAnswer>((resolve, reject) => {
      // The path goes as an option, not in a URL string: a URL string is parsed, and the parser
      // would resolve an encoded `%2E%2E` user id into the hub's broadcast path.
      const req = send(
        {
          protocol: base.protocol,
          hostname: base.hostname,
          port: base.port,
          path: `${base.pathname.replace(/\/$/, '')}${path}`,
          method,
          agent: this.agent,
          headers,
          signal: AbortSignal.timeout(REST_DEADLINE_MS),
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('error', (error) => reject(new RestError(0, error.message, { cause: error })));
          res.on('end', () => {
            const status = res.statusCode ?? 0;
            const errorCode = res.headers['x-ms-error-code'];
            const answer = { status, ...(typeof errorCode === 'string' && { errorCode }) };
            if ((status >= 200 && status < 300) || options.allow?.includes(status))
              return resolve(answer);
            reject(
              new RestError(
                status,
                `SignalR Service answered ${status} to ${method} ${path}: ${Buffer.concat(chunks).toString().slice(0, 200)}`,
              ),
            );
          });
        },
      );
      req.on('error', (error) =>
        reject(
          new RestError(
            0,
            error.name === 'AbortError'
              ? `SignalR Service at ${base.origin} did not answer within ${REST_DEADLINE_MS} ms.`
              : `SignalR Service at ${base.origin} is unreachable: ${error.message}`,
            { cause: error },
          ),
        ),
      );
      // A Buffer: with a string body Node writes the headers in the body's encoding (UTF-8).
      req.end(body === undefined ? undefined : Buffer.from(body));
    });
  }

  close(): void {
    this.agent.destroy();
  }
}
