import { HubMethod } from '../../lib/hub';
import {
  HubConnectionBuilder,
  HubConnectionState,
  LogLevel,
  type HubConnection,
} from '@microsoft/signalr';
import type { ChatMessage } from '../../lib/ChatMessage';

export { signIn } from '../../local/clients/signIn';

/** What a POST answered. */
export interface PostResult {
  readonly status: number;
  readonly contentType: string | null;
  readonly json: unknown;
}

/** POSTs a raw body to /api/messages as a signed-in user (or nobody). */
export async function postMessage(
  api: string,
  cookie: string | undefined,
  body: string | Uint8Array,
  headers: Record<string, string> = {},
): Promise<PostResult> {
  const response = await fetch(`${api}/api/messages`, {
    method: 'POST',
    headers: {
      'Content-Type': 'application/json',
      ...(cookie !== undefined && { Cookie: cookie }),
      ...headers,
    },
    body,
  });
  const text = await response.text();
  let json: unknown = text;
  try {
    json = text.length > 0 ? JSON.parse(text) : undefined;
  } catch {
    // Left as text; the assertion will show it.
  }
  return { status: response.status, contentType: response.headers.get('content-type'), json };
}

/**
 * A user's browser tab, played by the official @microsoft/signalr client signed in with the
 * front door's session cookie: records every `newMessage` it receives.
 */
export class Listener {
  readonly messages: ChatMessage[] = [];
  private waiters: {
    predicate: (messages: readonly ChatMessage[]) => boolean;
    resolve: () => void;
  }[] = [];

  private constructor(
    readonly name: string,
    readonly connection: HubConnection,
  ) {
    connection.on(HubMethod.NewMessage, (message: ChatMessage) => {
      this.messages.push(message);
      this.waiters = this.waiters.filter((waiter) => {
        if (!waiter.predicate(this.messages)) return true;
        waiter.resolve();
        return false;
      });
    });
  }

  static async connect(
    api: string,
    cookie: string,
    name: string,
    reconnectDelays: number[] = [],
  ): Promise<Listener> {
    const builder = new HubConnectionBuilder()
      .withUrl(`${api}/api`, { headers: { Cookie: cookie } })
      .configureLogging(LogLevel.None);
    if (reconnectDelays.length > 0) builder.withAutomaticReconnect(reconnectDelays);
    const listener = new Listener(name, builder.build());
    await listener.connection.start();
    return listener;
  }

  /** Resolves when the messages seen so far satisfy `predicate`; rejects after `timeoutMs`. */
  waitFor(
    predicate: (messages: readonly ChatMessage[]) => boolean,
    timeoutMs = 5000,
  ): Promise<void> {
    if (predicate(this.messages)) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () =>
          reject(
            new Error(
              `${this.name} did not see the expected messages within ${timeoutMs} ms; saw ${JSON.stringify(this.messages.map((m) => m.text))}`,
            ),
          ),
        timeoutMs,
      );
      this.waiters.push({ predicate, resolve: () => (clearTimeout(timer), resolve()) });
    });
  }

  waitForText(text: string, timeoutMs?: number): Promise<void> {
    return this.waitFor((messages) => messages.some((message) => message.text === text), timeoutMs);
  }

  async stop(): Promise<void> {
    if (this.connection.state !== HubConnectionState.Disconnected) await this.connection.stop();
  }
}
