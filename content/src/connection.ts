import { HubConnectionBuilder, LogLevel, type HubConnection } from '@microsoft/signalr';
import { HubMethod } from '../../lib/hub';
import type { ChatMessage } from './api';

/** What the page shows about its live connection (string values, so they read well in the DOM and logs). */
export enum ConnectionStatus {
  Connecting = 'connecting',
  Connected = 'connected',
  Reconnecting = 'reconnecting',
  Offline = 'offline',
}

/** Back-off with jitter, capped at 15 s, never giving up: chat should come back by itself. */
export function retryDelay(attempt: number): number {
  return Math.min(15_000, 500 * 2 ** Math.min(attempt, 5)) + Math.floor(Math.random() * 300);
}

export interface ChatConnection {
  start(): void;
  stop(): Promise<void>;
  /** The live connection's id, or null while there is none. */
  readonly connectionId: string | null;
}

/**
 * The SignalR connection through negotiate (`{url, accessToken}`, a redirect the client follows;
 * every reconnect negotiates again, so the token is always fresh).
 */
/** Someone came online (first connection) or went offline (last connection gone). */
export interface PresenceEvent {
  readonly online: boolean;
  readonly name: string;
}

export function createChatConnection(
  apiBaseUrl: string,
  onMessage: (message: ChatMessage) => void,
  onStatus: (status: ConnectionStatus) => void,
  onPresence: (event: PresenceEvent) => void,
): ChatConnection {
  const connection: HubConnection = new HubConnectionBuilder()
    .withUrl(`${apiBaseUrl}/api`, { withCredentials: true })
    .withAutomaticReconnect({
      nextRetryDelayInMilliseconds: (context) => retryDelay(context.previousRetryCount),
    })
    .configureLogging(LogLevel.Warning)
    .build();
  let stopped = false;
  let attempt = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;

  connection.on(HubMethod.NewMessage, onMessage);
  connection.on(HubMethod.UserOnline, ({ name }: { name: string }) =>
    onPresence({ online: true, name }),
  );
  connection.on(HubMethod.UserOffline, ({ name }: { name: string }) =>
    onPresence({ online: false, name }),
  );
  connection.onreconnecting(() => onStatus(ConnectionStatus.Reconnecting));
  connection.onreconnected(() => onStatus(ConnectionStatus.Connected));
  connection.onclose(() => {
    if (stopped) return;
    onStatus(ConnectionStatus.Offline);
    schedule();
  });

  function schedule(): void {
    clearTimeout(timer);
    timer = setTimeout(() => void connect(), retryDelay(attempt++));
  }

  async function connect(): Promise<void> {
    if (stopped) return;
    onStatus(attempt === 0 ? ConnectionStatus.Connecting : ConnectionStatus.Reconnecting);
    try {
      await connection.start();
      attempt = 0;
      onStatus(ConnectionStatus.Connected);
    } catch {
      onStatus(ConnectionStatus.Offline);
      schedule();
    }
  }

  return {
    start: () => void connect(),
    stop: async () => {
      stopped = true;
      clearTimeout(timer);
      await connection.stop();
    },
    get connectionId() {
      return connection.connectionId;
    },
  };
}
