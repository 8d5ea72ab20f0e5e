/** The chat message as every client receives it in `newMessage(message)`. */
export interface ChatMessage {
  /** A UUID, so clients can de-duplicate and key their lists. */
  readonly id: string;
  /** The App Service principal name of whoever sent it; never taken from a request body. */
  readonly sender: string;
  readonly text: string;
  /** ISO 8601, UTC, set by the server when it accepted the message. */
  readonly timestamp: string;
  readonly isPrivate: boolean;
  /** Present only on private messages. */
  readonly recipient?: string;
}

/** One item of the signalR output binding: a message to everyone or to one user id. */
export interface SignalRMessageAction {
  readonly target: string;
  readonly arguments: readonly unknown[];
  readonly userId?: string;
}
