import { HubConnectionBuilder, LogLevel, type HubConnection } from '@microsoft/signalr';
import { HubMethod, ServerMethod } from '../../lib/hub';
import type { ChatMessage } from './api';

/** What the page shows about its live connection (string values, so they read well in the DOM and logs). */
export enum ConnectionStatus {
  Connecting = 'connecting',
  Connected = 'connected',
  Reconnecting = 'reconnecting',
  Offline = 'offline',
  /** The session ended (negotiate answered 401): only signing in again helps. */
  SignedOut = 'signed-out',
}

/** Back-off with jitter, capped at 15 s, never giving up: chat should come back by itself. */
export function retryDelay(attempt: number): number {
  return Math.min(15_000, 500 * 2 ** Math.min(attempt, 5)) + Math.floor(Math.random() * 300);
}

/** The page tells the room it is typing at most this often. */
export const TYPING_EVERY_MS = 3_000;

export interface ChatConnection {
  start(): void;
  stop(): Promise<void>;
  /** Tells the room the user is typing, at most every TYPING_EVERY_MS per room. */
  typing(room: string): void;
  /** The live connection's id, or null while there is none. */
  readonly connectionId: string | null;
}

/** Someone came online (first connection) or went offline (last connection gone). */
export interface PresenceEvent {
  readonly online: boolean;
  readonly name: string;
}

export interface TypingEvent {
  readonly name: string;
  readonly room: string;
}

export interface ConnectionEvents {
  message(message: ChatMessage): void;
  status(status: ConnectionStatus): void;
  presence(event: PresenceEvent): void;
  typing(event: TypingEvent): void;
  /** The user's rooms changed in another tab. */
  roomsChanged(): void;
  /** A room appeared (its first member) or went (its last), for everyone. */
  roomListChanged(event: { room: string; members: number }): void;
  /** Whether the session still holds (asked while reconnecting, since negotiate's 401 is hidden). */
  signedIn(): Promise<boolean>;
}

function isUnauthorized(error: unknown): boolean {
  return (error as { statusCode?: number } | null)?.statusCode === 401;
}

/** Negotiate refused this user for good (403: a name the chat cannot carry): retrying is no use. */
function isForbidden(error: unknown): boolean {
  return (error as { statusCode?: number } | null)?.statusCode === 403;
}

/**
 * The SignalR connection through negotiate (`{url, accessToken}`, a redirect the client follows;
 * every reconnect negotiates again, so the token is always fresh). It says what is true: offline
 * as soon as the browser loses the network, signed out when the session has ended. With stateful
 * reconnect, a socket that drops for a moment is taken up again where it was: nothing sent
 * meanwhile is lost or doubled, and the page does not even say "Reconnecting".
 */
export function createChatConnection(apiBaseUrl: string, on: ConnectionEvents): ChatConnection {
  const connection: HubConnection = new HubConnectionBuilder()
    .withUrl(`${apiBaseUrl}/api`, { withCredentials: true })
    .withAutomaticReconnect({
      nextRetryDelayInMilliseconds: (context) => retryDelay(context.previousRetryCount),
    })
    .withStatefulReconnect()
    .configureLogging(LogLevel.Warning)
    .build();
  let stopped = false;
  let attempt = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const lastTyping = new Map<string, number>();

  connection.on(HubMethod.NewMessage, on.message);
  connection.on(HubMethod.UserOnline, ({ name }: { name: string }) =>
    on.presence({ online: true, name }),
  );
  connection.on(HubMethod.UserOffline, ({ name }: { name: string }) =>
    on.presence({ online: false, name }),
  );
  connection.on(HubMethod.UserTyping, on.typing);
  connection.on(HubMethod.RoomsChanged, on.roomsChanged);
  connection.on(HubMethod.RoomListChanged, on.roomListChanged);
  connection.onreconnecting(() => {
    on.status(navigator.onLine ? ConnectionStatus.Reconnecting : ConnectionStatus.Offline);
    void checkSession();
  });
  connection.onreconnected(() => on.status(ConnectionStatus.Connected));
  connection.onclose(() => {
    if (stopped) return;
    on.status(ConnectionStatus.Offline);
    schedule();
  });

  /** While the connection is down, a session that ended stops the retries and says so. */
  async function checkSession(): Promise<void> {
    try {
      if (stopped || (await on.signedIn())) return;
    } catch {
      return; // The API is unreachable: retrying is right.
    }
    stopped = true;
    clearTimeout(timer);
    on.status(ConnectionStatus.SignedOut);
    await connection.stop();
  }

  function schedule(): void {
    clearTimeout(timer);
    timer = setTimeout(() => void connect(), retryDelay(attempt++));
  }

  async function connect(): Promise<void> {
    if (stopped) return;
    on.status(attempt === 0 ? ConnectionStatus.Connecting : ConnectionStatus.Reconnecting);
    try {
      await connection.start();
      attempt = 0;
      on.status(ConnectionStatus.Connected);
    } catch (error) {
      if (isForbidden(error)) {
        stopped = true;
        on.status(ConnectionStatus.Offline);
        return;
      }
      if (isUnauthorized(error)) {
        stopped = true;
        on.status(ConnectionStatus.SignedOut);
        return;
      }
      on.status(ConnectionStatus.Offline);
      schedule();
    }
  }

  // The browser knows first when the network goes: say so at once, and try again when it is back.
  const wentOffline = () => on.status(ConnectionStatus.Offline);
  const cameOnline = () => {
    if (stopped) return;
    if (connection.state === 'Connected') on.status(ConnectionStatus.Connected);
    if (connection.state !== 'Disconnected') return;
    clearTimeout(timer);
    attempt = 0;
    void connect();
  };
  window.addEventListener('offline', wentOffline);
  window.addEventListener('online', cameOnline);

  return {
    start: () => void connect(),
    stop: async () => {
      stopped = true;
      clearTimeout(timer);
      window.removeEventListener('offline', wentOffline);
      window.removeEventListener('online', cameOnline);
      await connection.stop();
    },
    typing: (room) => {
      const now = Date.now();
      if (connection.state !== 'Connected' || now - (lastTyping.get(room) ?? 0) < TYPING_EVERY_MS)
        return;
      lastTyping.set(room, now);
      connection.send(ServerMethod.Typing, room).catch(() => undefined);
    },
    get connectionId() {
      return connection.connectionId;
    },
  };
}
