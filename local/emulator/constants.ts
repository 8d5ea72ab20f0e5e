/** Protocol constants of the emulated Azure SignalR Service (docs/signalr-service.md). */

/** Server keep-alive: a Ping at least this often (docs/signalr-service.md, "Hub protocol"). */
export const KEEP_ALIVE_INTERVAL_MS = 15_000;
/** A client silent for this long is closed (docs/signalr-service.md, "Hub protocol"). */
export const CLIENT_TIMEOUT_MS = 30_000;
/** The handshake must arrive within this (docs/signalr-service.md, "Hub protocol"). */
export const HANDSHAKE_TIMEOUT_MS = 15_000;
/** A negotiated connection id must be used within about this long, else 404 (docs/signalr-service.md, "Client endpoint"). */
export const NEGOTIATE_TTL_MS = 5_000;
/** How often timeouts are swept: one timer for all connections, not one per connection. */
export const SWEEP_INTERVAL_MS = 1_000;

/** REST bodies over this are refused with 413 (docs/signalr-service.md, "REST API"). */
export const MAX_REST_BODY_BYTES = 1024 * 1024;
/** Largest client frame accepted by default; larger frames close the connection (1009). */
export const DEFAULT_MAX_MESSAGE_BYTES = 1024 * 1024;
/** Default connection limit: Standard tier's per-unit figure times ten, generous for a laptop. */
export const DEFAULT_MAX_CONNECTIONS = 100_000;
/** A connection whose unsent bytes pass this is closed rather than slowing everyone else. */
export const DEFAULT_MAX_BUFFERED_BYTES = 4 * 1024 * 1024;

/**
 * How long a stateful-reconnect connection whose socket dropped waits for its client to come
 * back: ASP.NET Core's default disconnect timeout for an inactive connection
 * (`ConnectionOptionsSetup.DefaultDisconectTimeout`, 15 s). Azure does not publish its own.
 */
export const RECONNECT_WINDOW_MS = 15_000;
/**
 * Unacknowledged bytes a stateful-reconnect connection may hold for replay before it is closed
 * (with allowReconnect). ASP.NET Core's `HubOptions.StatefulReconnectBufferSize` is 100,000
 * bytes and makes the hub wait instead; a service fanning out cannot wait, so this is larger, a
 * choice of ours (Azure does not publish its bound).
 */
export const DEFAULT_REPLAY_BUFFER_BYTES = 1024 * 1024;

export const HUB_NAME_PATTERN = /^[A-Za-z][A-Za-z0-9_`,.[\]]{0,127}$/;
export const MAX_GROUP_NAME_CHARS = 1024;

/** `x-ms-error-code` values on 404 answers (docs/signalr-service.md, "REST API"). */
export const ErrorCode = {
  ConnectionNotExisted: 'Warning.Connection.NotExisted',
  UserNotExisted: 'Warning.User.NotExisted',
  GroupNotExisted: 'Warning.Group.NotExisted',
  UserNotInGroup: 'Info.User.NotInGroup',
  ConnectionNotExistedError: 'Error.Connection.NotExisted',
} as const;

/**
 * Dated REST api-versions the service serves (Azure/azure-signalr docs/swagger/; the Management
 * SDK calls 2022-06-01 today and moved to 2024-12-01 in 2025).
 */
export const API_VERSIONS: readonly string[] = ['2022-06-01', '2023-07-01', '2024-12-01'];

/**
 * How long a long poll waits for data before answering 200 with nothing: ASP.NET Core's
 * default (`LongPollingOptions.PollTimeout`, 90 s). Azure SignalR Service does not document its
 * own; the client (`LongPollingTransport`) waits 100 s before it gives a poll up.
 */
export const LONG_POLL_TIMEOUT_MS = 90_000;
