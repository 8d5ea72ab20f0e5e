import type { IncomingMessage, ServerResponse } from 'node:http';
import { HttpError } from '../../lib/HttpError';
import { readBody } from '../http/readBody';
import {
  readTransportRequest,
  takePending,
  type ClientEndpointContext,
  type PendingConnection,
} from './clientEndpoint';
import {
  LongPollingTransport,
  ServerSentEventsTransport,
  type ClientTransport,
} from './transports';

/** What the HTTP transports need besides the client endpoint's context. */
export interface HttpTransportContext extends ClientEndpointContext {
  /** Connection token → its Server-Sent Events or long-polling transport. */
  readonly httpTransports: Map<string, ServerSentEventsTransport | LongPollingTransport>;
  /** Makes the connection for a negotiated id over a transport (as a WebSocket's is made). */
  readonly attach: (token: string, pending: PendingConnection, transport: ClientTransport) => void;
  readonly maxMessageBytes: number;
  readonly pollTimeoutMs: number;
}

/** Connections with a POST in progress: a second one at once is 409 (HTTP Post, the spec). */
const sending = new WeakSet<ClientTransport>();

/**
 * GET, POST and DELETE on /client/?hub=...&id=...: Server-Sent Events (a GET that accepts
 * `text/event-stream`), long polling (any other GET) and the HTTP POST half-transport that
 * carries the client's frames for both (TransportProtocols.md; docs/signalr-service.md,
 * "Transports"). The token comes from the query (`access_token`) as for a WebSocket.
 */
export async function httpTransport(
  ctx: HttpTransportContext,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
): Promise<void> {
  const { hub, id } = await readTransportRequest(ctx, req, url);
  const existing = ctx.httpTransports.get(id);
  switch (req.method) {
    case 'GET':
      return receive(ctx, req, res, id, hub, existing);
    case 'POST': {
      if (existing === undefined || existing.isEnded || ctx.pending.has(id))
        throw new HttpError(404, 'ConnectionNotFound', 'No open connection with this id.');
      if (sending.has(existing))
        throw new HttpError(
          409,
          'SendInProgress',
          'Another send on this connection is in progress.',
        );
      sending.add(existing);
      try {
        const body = await readBody(req, { limit: ctx.maxMessageBytes, timeoutMs: 10_000 });
        // The connection knows its protocol: text for JSON, bytes for MessagePack.
        existing.onMessage?.(body, true);
      } finally {
        sending.delete(existing);
      }
      res.writeHead(200, { 'Content-Length': '0' }).end();
      return;
    }
    case 'DELETE':
      if (existing === undefined)
        throw new HttpError(404, 'ConnectionNotFound', 'No open connection with this id.');
      existing.terminate();
      res.writeHead(202, { 'Content-Type': 'text/plain' }).end('Accepted');
      return;
    default:
      throw new HttpError(
        405,
        'MethodNotAllowed',
        'The client endpoint takes GET, POST or DELETE.',
        {
          headers: { Allow: 'GET, POST, DELETE' },
        },
      );
  }
}

/** The server-to-client half: a new event stream, the first poll, or the next poll. */
function receive(
  ctx: HttpTransportContext,
  req: IncomingMessage,
  res: ServerResponse,
  id: string,
  hub: string,
  existing: ServerSentEventsTransport | LongPollingTransport | undefined,
): void {
  const eventStream = /text\/event-stream/i.test(req.headers.accept ?? '');
  if (existing !== undefined) {
    if (existing instanceof ServerSentEventsTransport || eventStream)
      throw new HttpError(409, 'ConnectionInUse', 'This connection already has its transport.');
    if (existing.isEnded)
      throw new HttpError(404, 'ConnectionNotFound', 'No open connection with this id.');
    return existing.takePoll(res);
  }
  if (ctx.isConnected(id))
    throw new HttpError(409, 'ConnectionInUse', 'A WebSocket is already connected with this id.');
  const pending = takePending(ctx, id, hub);
  if (eventStream) {
    const transport = new ServerSentEventsTransport(res);
    ctx.httpTransports.set(id, transport);
    ctx.attach(id, pending, transport);
    return;
  }
  const transport = new LongPollingTransport(ctx.pollTimeoutMs);
  ctx.httpTransports.set(id, transport);
  ctx.attach(id, pending, transport);
  // The first poll makes the connection and answers at once, empty: the client sends its
  // handshake only after it (@microsoft/signalr LongPollingTransport.connect).
  res.writeHead(200, { 'Content-Length': '0' }).end();
}
