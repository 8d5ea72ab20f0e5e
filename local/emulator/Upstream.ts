import { createHmac } from 'node:crypto';
import type { Logger } from '../log';

/**
 * Serverless upstream, as the service and its official emulator call it (Azure/azure-signalr,
 * src/Microsoft.Azure.SignalR.Emulator/Upstreams/HttpUpstreamTrigger.cs,
 * HubEmulator/HttpServerlessMessageHandler.cs, Common/ServerlessProtocol.cs): a POST to the URL
 * template ({hub}, {category}, {event} filled in) with the X-ASRS-* headers and the serverless
 * protocol body. docs/signalr-service.md, "Upstream".
 */
export interface UpstreamConnection {
  readonly id: string;
  readonly hub: string;
  readonly userId?: string;
  /** `type: value` pairs of the client token's own claims. */
  readonly claims: readonly string[];
  /** The client's query string at negotiate, without the leading `?`. */
  readonly query: string;
}

export const Category = { Connections: 'connections', Messages: 'messages' } as const;

/** `sha256=<hex HMAC-SHA256(key, connection id)>` for each access key, comma-separated. */
export function upstreamSignature(accessKeys: readonly string[], connectionId: string): string {
  return accessKeys
    .map((key) => `sha256=${createHmac('sha256', key).update(connectionId).digest('hex')}`)
    .join(',');
}

/** Most upstream calls in flight at once; more wait their turn instead of flooding the app. */
const MAX_IN_FLIGHT = 32;

export class Upstream {
  /** Calls for one connection run in order: its disconnected never overtakes its connected. */
  private readonly queues = new Map<string, Promise<unknown>>();
  private inFlight = 0;
  private readonly waiting: (() => void)[] = [];

  private async slot<T>(call: () => Promise<T>): Promise<T> {
    if (this.inFlight >= MAX_IN_FLIGHT)
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    this.inFlight++;
    try {
      return await call();
    } finally {
      this.inFlight--;
      this.waiting.shift()?.();
    }
  }

  constructor(
    private readonly urlTemplate: string,
    private readonly accessKey: string,
    private readonly log: Logger,
  ) {}

  private url(hub: string, category: string, event: string): string {
    return this.urlTemplate
      .replace(/\{hub\}/gi, encodeURIComponent(hub))
      .replace(/\{category\}/gi, category)
      .replace(/\{event\}/gi, encodeURIComponent(event));
  }

  private enqueue<T>(connection: UpstreamConnection, call: () => Promise<T>): Promise<T> {
    const previous = this.queues.get(connection.id) ?? Promise.resolve();
    const run = () => this.slot(call);
    const next = previous.then(run, run);
    const settled = next.catch(() => undefined);
    this.queues.set(connection.id, settled);
    void settled.then(() => {
      if (this.queues.get(connection.id) === settled) this.queues.delete(connection.id);
    });
    return next;
  }

  private async post(
    connection: UpstreamConnection,
    category: string,
    event: string,
    body: unknown,
  ): Promise<Response> {
    const headers: Record<string, string> = {
      'Content-Type': 'application/json',
      'X-ASRS-Connection-Id': connection.id,
      'X-ASRS-Hub': connection.hub,
      'X-ASRS-Category': category,
      'X-ASRS-Event': event,
      'X-ASRS-Signature': upstreamSignature([this.accessKey], connection.id),
    };
    if (connection.userId !== undefined) headers['X-ASRS-User-Id'] = connection.userId;
    if (connection.claims.length > 0) headers['X-ASRS-User-Claims'] = connection.claims.join(', ');
    if (connection.query.length > 0) headers['X-ASRS-Client-Query'] = connection.query;
    const response = await fetch(this.url(connection.hub, category, event), {
      method: 'POST',
      headers,
      body: JSON.stringify(body),
    });
    if (!response.ok)
      this.log.warn(
        `upstream ${category}/${event} for ${connection.id} answered ${response.status}`,
      );
    return response;
  }

  /** `{"type":10}` to category connections, event connected. Failures are logged. */
  connected(connection: UpstreamConnection): void {
    void this.enqueue(connection, () =>
      this.post(connection, Category.Connections, 'connected', { type: 10 }),
    ).catch((error: unknown) => this.log.warn(`upstream connected failed: ${String(error)}`));
  }

  /** `{"Type":11,"Error":...}` (the emulator writes these two names in Pascal case). */
  disconnected(connection: UpstreamConnection, error?: string): void {
    void this.enqueue(connection, () =>
      this.post(connection, Category.Connections, 'disconnected', {
        Type: 11,
        ...(error !== undefined && { Error: error }),
      }),
    ).catch((failure: unknown) =>
      this.log.warn(`upstream disconnected failed: ${String(failure)}`),
    );
  }

  /**
   * A client's hub invocation to category messages, event = the method name; resolves with the
   * upstream's answer body, for the completion the client may be waiting for.
   */
  invoke(
    connection: UpstreamConnection,
    message: { invocationId?: string; target: string; arguments: readonly unknown[] },
  ): Promise<{ ok: boolean; status: number; body: string }> {
    return this.enqueue(connection, async () => {
      const response = await this.post(connection, Category.Messages, message.target, {
        type: 1,
        ...(message.invocationId !== undefined && { invocationId: message.invocationId }),
        target: message.target,
        arguments: message.arguments,
      });
      return { ok: response.ok, status: response.status, body: await response.text() };
    });
  }
}
