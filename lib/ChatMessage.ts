/** The chat message as every client receives it in `newMessage(message)`. */
export interface ChatMessage {
  /**
   * 25 digits that sort in the order the server accepted messages (lib/messageIds.ts), so
   * clients can de-duplicate, key their lists and ask for what came before or after one.
   */
  readonly id: string;
  /** The App Service principal name of whoever sent it; never taken from a request body. */
  readonly sender: string;
  readonly text: string;
  /** ISO 8601, UTC, set by the server when it accepted the message. */
  readonly timestamp: string;
  readonly isPrivate: boolean;
  /** Present only on private messages. */
  readonly recipient?: string;
  /** The room of a public message (`general` when none was named); absent on private ones. */
  readonly room?: string;
}

/** One item of the signalR output binding: a message to everyone, one user id or one group. */
export interface SignalRMessageAction {
  readonly target: string;
  readonly arguments: readonly unknown[];
  readonly userId?: string;
  readonly groupName?: string;
}

/** A group action of the signalR output binding: a user into or out of a group, every tab. */
export interface SignalRGroupAction {
  readonly userId: string;
  readonly groupName: string;
  readonly action: 'add' | 'remove';
}

/** GET /api/messages: the page size the page asks for, and the default `limit`. */
export const HISTORY_PAGE_SIZE = 50;
/** GET /api/messages: the most one read may ask for (`limit`). */
export const MAX_HISTORY_PAGE_SIZE = 200;

/** POST /api/messages limits (docs/security.md). */
/** Largest request body accepted, in bytes. */
export const MAX_BODY_BYTES = 64 * 1024;
/** Deepest nesting of arrays and objects accepted; the body itself is flat (depth 1). */
export const MAX_JSON_DEPTH = 32;
/** Message text length after trimming, in characters (Unicode code points). */
export const MAX_TEXT_CHARS = 2000;
/** Longest recipient user id, in characters; App Service principal names fit well inside. */
export const MAX_RECIPIENT_CHARS = 256;
