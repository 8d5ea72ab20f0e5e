/** A client connection's lifecycle: string values so logs read well. */
export enum ConnectionState {
  Handshaking = 'handshaking',
  Connected = 'connected',
  /** Stateful reconnect: the transport dropped; messages are kept for the client's return. */
  Disconnected = 'disconnected',
  Closed = 'closed',
}

/** What a connection is allowed beyond its transport. */
export interface ConnectionLimits {
  /** Unsent bytes past which a client that is not reading is closed. */
  readonly maxBufferedBytes: number;
  /** Negotiated with `useStatefulReconnect` over WebSockets: version 2 keeps a replay buffer. */
  readonly statefulReconnect: boolean;
  /** Unacknowledged bytes a stateful connection may hold for replay. */
  readonly replayBufferBytes: number;
  /** How long a stateful connection whose socket dropped waits for its client. */
  readonly reconnectWindowMs: number;
}
