import { randomBytes, randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { STATUS_CODES } from 'node:http';
import type { WebSocketServer } from 'ws';
import { clientAudience } from '../../lib/signalr/tokens';
import { type VerifiedToken } from '../signalr/verifyToken';
import { authenticate, bearerToken } from './authenticate';
import type { SignalRConnectionString } from '../../lib/signalr/ConnectionString';
import { HUB_NAME_PATTERN, NEGOTIATE_TTL_MS } from './constants';
import { HttpError } from '../../lib/HttpError';
import { parseRequestTarget } from '../http/requestTarget';
import { TransportKind } from './transports';

/** A negotiated connection waiting for its WebSocket (docs/signalr-service.md, "Client endpoint"). */
export interface PendingConnection {
  readonly connectionId: string;
  readonly hub: string;
  readonly userId?: string;
  readonly negotiatedAt: number;
  /** The client token's own claims, `type: value`, for upstream's X-ASRS-User-Claims. */
  readonly claims: readonly string[];
  /** The client's negotiate query, for upstream's X-ASRS-Client-Query. */
  readonly query: string;
  /** Negotiated with `useStatefulReconnect=true`: the connection may come back (WebSockets). */
  readonly statefulReconnect: boolean;
}

/** A live connection a client may take up again on a new WebSocket (stateful reconnect). */
export interface ResumableConnection {
  readonly hub: string;
  readonly userId?: string;
}

export interface ClientEndpointContext {
  readonly cs: SignalRConnectionString;
  readonly pending: Map<string, PendingConnection>;
  readonly isConnected: (connectionToken: string) => boolean;
  /** The connection a token names, when it negotiated stateful reconnect and is still open. */
  readonly resumable: (connectionToken: string) => ResumableConnection | undefined;
  readonly connectionCount: () => number;
  readonly maxConnections: number;
}

/**
 * What negotiate offers: the three transports with their transfer formats, as Azure SignalR
 * Service and ASP.NET Core answer (TransportProtocols.md, "POST [endpoint-base]/negotiate").
 */
const AVAILABLE_TRANSPORTS = [
  { transport: TransportKind.WebSockets, transferFormats: ['Text', 'Binary'] },
  { transport: TransportKind.ServerSentEvents, transferFormats: ['Text'] },
  { transport: TransportKind.LongPolling, transferFormats: ['Text', 'Binary'] },
];

/** The one `hub` query parameter, valid, or a 400 (docs/signalr-service.md, "REST API", "Client endpoint"). */
export function readHub(url: URL): string {
  const hubs = url.searchParams.getAll('hub');
  if (hubs.length !== 1)
    throw new HttpError(
      400,
      'InvalidHubName',
      hubs.length === 0
        ? 'The hub query parameter is required.'
        : 'The hub query parameter must appear once.',
    );
  const hub = hubs[0];
  if (!HUB_NAME_PATTERN.test(hub))
    throw new HttpError(
      400,
      'InvalidHubName',
      `Invalid hub name '${hub}': it must start with a letter and use up to 128 letters, digits and _\`,.[].`,
    );
  return hub;
}

/** JWT registered claims, not passed upstream as user claims. */
const STANDARD_CLAIMS = new Set(['aud', 'exp', 'iat', 'nbf', 'iss', 'jti', 'kid']);
/** The prefix a user claim named like a system one travels under (ClaimsUtility.GetUserPrincipal). */
const USER_CLAIM_PREFIX = 'asrs.u.';

/**
 * A client token's user claims as X-ASRS-User-Claims lists them, `type: value`: the registered
 * ones left out, `asrs.u.` taken off (the service gives the user back the claim the SDK renamed),
 * an array one claim per element (as a JWT carries a repeated claim type).
 */
export function userClaims(claims: Readonly<Record<string, unknown>>): string[] {
  return Object.entries(claims).flatMap(([type, value]) =>
    STANDARD_CLAIMS.has(type)
      ? []
      : (Array.isArray(value) ? value : [value]).map(
          (one) =>
            `${type.startsWith(USER_CLAIM_PREFIX) ? type.slice(USER_CLAIM_PREFIX.length) : type}: ${
              typeof one === 'object' && one !== null ? JSON.stringify(one) : String(one)
            }`,
        ),
  );
}

/** The negotiate query without the service's own parameters. */
function clientQuery(url: URL): string {
  const query = new URLSearchParams(url.searchParams);
  for (const name of ['hub', 'negotiateVersion', 'access_token', 'id']) query.delete(name);
  return query.toString();
}

/** Verifies a client token for a hub (Bearer or `access_token`), mapping failures to 401. */
function authenticateClient(
  ctx: ClientEndpointContext,
  req: IncomingMessage,
  url: URL,
  hub: string,
): Promise<VerifiedToken> {
  return authenticate(bearerToken(req, url), ctx.cs.accessKey, [clientAudience(ctx.cs, hub)]);
}

/**
 * `useStatefulReconnect=true` on negotiate, read as ASP.NET Core reads it
 * (HttpConnectionDispatcher.ProcessNegotiate: the query key in any case, `bool.TryParse`).
 */
function asksStatefulReconnect(url: URL): boolean {
  for (const [name, value] of url.searchParams)
    if (name.toLowerCase() === 'usestatefulreconnect') return value.trim().toLowerCase() === 'true';
  return false;
}

/** POST /client/negotiate?hub=...: issues a connection id and token (negotiate v0 and v1). */
export async function negotiate(
  ctx: ClientEndpointContext,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
): Promise<void> {
  if (req.method !== 'POST')
    throw new HttpError(405, 'MethodNotAllowed', 'Negotiate takes POST.', {
      headers: { Allow: 'POST' },
    });
  const hub = readHub(url);
  const token = await authenticateClient(ctx, req, url, hub);
  if (ctx.connectionCount() + ctx.pending.size >= ctx.maxConnections) {
    throw new HttpError(
      429,
      'ConnectionLimit',
      `The connection limit of ${ctx.maxConnections} has been reached; try again later.`,
    );
  }
  const connectionId = randomUUID();
  const version = url.searchParams.get('negotiateVersion') === '1' ? 1 : 0;
  // v1 keeps the id private and connects with a separate token; v0 connects with the id itself.
  const connectionToken = version === 1 ? randomBytes(16).toString('base64url') : connectionId;
  const statefulReconnect = asksStatefulReconnect(url);
  ctx.pending.set(connectionToken, {
    connectionId,
    hub,
    userId: token.userId,
    negotiatedAt: Date.now(),
    claims: userClaims(token.claims),
    query: clientQuery(url),
    statefulReconnect,
  });
  const body = {
    connectionId,
    ...(version === 1 && { connectionToken, negotiateVersion: 1 }),
    availableTransports: AVAILABLE_TRANSPORTS,
    // Said only when asked: a client that did not ask refuses a server that says it.
    ...(statefulReconnect && { useStatefulReconnect: true }),
  };
  res.writeHead(200, { 'Content-Type': 'application/json' });
  res.end(JSON.stringify(body));
}

function refuseUpgrade(socket: Duplex, error: HttpError): void {
  const body = JSON.stringify({ error: error.message });
  const headers = Object.entries({
    ...error.headers,
    'Content-Type': 'application/json',
    'Content-Length': String(Buffer.byteLength(body)),
    Connection: 'close',
  })
    .map(([name, value]) => `${name}: ${value}`)
    .join('\r\n');
  socket.end(`HTTP/1.1 ${error.status} ${STATUS_CODES[error.status]}\r\n${headers}\r\n\r\n${body}`);
}

/**
 * GET /client/?hub=...&id=... with Upgrade: the WebSocket transport. Refusals are the service's:
 * 401 token, 400 hub, 404 unknown or stale id, 409 a second socket on one id (docs/signalr-service.md, "Client endpoint").
 * A connection that negotiated stateful reconnect is taken up again by its client's next
 * WebSocket, the old socket dropped (HttpConnectionDispatcher: CancelPreviousPoll), when the
 * same user comes back for the same hub.
 */
export async function upgrade(
  ctx: ClientEndpointContext,
  wss: WebSocketServer,
  req: IncomingMessage,
  socket: Duplex,
  head: Buffer,
  onSocket: (token: string, pending: PendingConnection, ws: import('ws').WebSocket) => void,
  onResume: (token: string, ws: import('ws').WebSocket) => void,
): Promise<void> {
  try {
    const url = parseRequestTarget(req.url);
    if (url.pathname !== '/client/' && url.pathname !== '/client')
      throw new HttpError(404, 'NotFound', `No WebSocket endpoint at ${url.pathname}.`);
    const { hub, id, userId } = await readTransportRequest(ctx, req, url);
    const resumable = ctx.resumable(id);
    if (resumable !== undefined) {
      // The token is a secret, yet a token leaked with another user's sign-in takes nothing:
      // only the connection's own user may take it up (a choice of ours: ASP.NET Core logs a
      // changed user, Azure does not say).
      if (resumable.userId !== userId || resumable.hub !== hub.toLowerCase())
        throw new HttpError(404, 'ConnectionNotFound', 'No connection with this id for this user.');
      wss.handleUpgrade(req, socket, head, (ws) => onResume(id, ws));
      return;
    }
    if (ctx.isConnected(id))
      throw new HttpError(409, 'ConnectionInUse', 'A WebSocket is already connected with this id.');
    const pending = takePending(ctx, id, hub);
    wss.handleUpgrade(req, socket, head, (ws) => onSocket(id, pending, ws));
  } catch (error) {
    refuseUpgrade(
      socket,
      error instanceof HttpError
        ? error
        : new HttpError(500, 'InternalError', 'The service had an internal error.'),
    );
  }
}

/**
 * What every transport request carries, checked: the hub (400), the client token (401) and the
 * connection token `id` (400 when missing).
 */
export async function readTransportRequest(
  ctx: ClientEndpointContext,
  req: IncomingMessage,
  url: URL,
): Promise<{ hub: string; id: string; userId?: string }> {
  const hub = readHub(url);
  const { userId } = await authenticateClient(ctx, req, url, hub);
  const id = url.searchParams.get('id');
  if (id === null)
    throw new HttpError(
      400,
      'MissingConnectionId',
      'The id query parameter (the connection token from negotiate) is required.',
    );
  return { hub, id, userId };
}

/** The negotiated connection `id` names, taken off the waiting list; 404 when none (or stale). */
export function takePending(
  ctx: ClientEndpointContext,
  id: string,
  hub: string,
): PendingConnection {
  const pending = ctx.pending.get(id);
  if (pending !== undefined) ctx.pending.delete(id);
  if (
    pending === undefined ||
    Date.now() - pending.negotiatedAt > NEGOTIATE_TTL_MS ||
    pending.hub.toLowerCase() !== hub.toLowerCase()
  )
    throw new HttpError(
      404,
      'ConnectionNotFound',
      'No connection with this id: negotiate again, and connect within 5 seconds.',
    );
  return pending;
}
