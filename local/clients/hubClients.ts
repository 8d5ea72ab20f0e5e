import WebSocket from 'ws';
import { HANDSHAKE_OK_FRAME, JSON_HANDSHAKE_FRAME, PING_FRAME } from '../signalr/hubProtocol';

/**
 * Load clients for the benchmark: many WebSockets held by one process, each speaking the JSON
 * hub protocol directly (or raw frames for the baseline), counting the chat messages they see.
 * The official client is too heavy to hold 10,000 of on two cores; bench/run.ts checks once
 * that it sees the same messages.
 */
/**
 * The official client pings this often (`keepAliveIntervalInMilliseconds`, 15 s); the service
 * closes a client it has heard nothing from for 30 s (docs/signalr-service.md, "Hub protocol").
 */
export const CLIENT_KEEP_ALIVE_MS = 15_000;
/** Every bench message's text starts with this, followed by its sequence number. */
export const SEQUENCE_MARKER = '"text":"seq ';

export interface DeliveryTracker {
  /** Called once per chat message a client receives. */
  onDelivery(sequence: number): void;
}

export interface ClientTarget {
  /** ws:// URL to open. */
  readonly url: string;
  readonly headers?: Readonly<Record<string, string>>;
  /** Speak the hub protocol (handshake first) rather than raw frames. */
  readonly hubProtocol: boolean;
  /** The service's id for the connection, when it negotiated one. */
  readonly connectionId?: string;
}

/** Receives every frame after the handshake (a hub frame may carry several records). */
export type FrameHandler = (frame: string) => void;

/**
 * A frame handler that finds every `seq N` without parsing JSON: at 10,000 clients the bench
 * process must stay cheaper than the server it measures.
 */
export function sequenceReader(tracker: DeliveryTracker): FrameHandler {
  return (frame) => {
    let at = frame.indexOf(SEQUENCE_MARKER);
    while (at >= 0) {
      const start = at + SEQUENCE_MARKER.length;
      let end = start;
      while (end < frame.length && frame.charCodeAt(end) >= 48 && frame.charCodeAt(end) <= 57)
        end++;
      tracker.onDelivery(Number(frame.slice(start, end)));
      at = frame.indexOf(SEQUENCE_MARKER, end);
    }
  };
}

/** Opens one client; resolves once it can receive (after the handshake for hub clients). */
export function openClient(target: ClientTarget, onFrame: FrameHandler): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(target.url, { headers: target.headers, perMessageDeflate: false });
    let ready = !target.hubProtocol;
    socket.on('open', () => {
      if (target.hubProtocol) {
        socket.send(JSON_HANDSHAKE_FRAME);
        // Like the official client, keep a quiet connection alive with a Ping.
        const keepAlive = setInterval(() => {
          if (socket.readyState === WebSocket.OPEN) socket.send(PING_FRAME);
        }, CLIENT_KEEP_ALIVE_MS);
        keepAlive.unref();
        socket.once('close', () => clearInterval(keepAlive));
      } else resolve(socket);
    });
    socket.on('message', (data) => {
      const frame = data.toString();
      if (!ready) {
        if (!frame.startsWith(HANDSHAKE_OK_FRAME)) {
          reject(new Error(`Handshake refused: ${frame.slice(0, 200)}`));
          socket.close();
          return;
        }
        ready = true;
        resolve(socket);
        if (frame.length > 3) onFrame(frame.slice(3));
        return;
      }
      onFrame(frame);
    });
    socket.on('error', reject);
    socket.on('unexpected-response', (_req, res) =>
      reject(new Error(`WebSocket upgrade refused with ${res.statusCode}`)),
    );
  });
}

/** Runs `open(0)` .. `open(count - 1)`, `parallel` at a time; their results in index order. */
export async function inParallel<T>(
  count: number,
  parallel: number,
  open: (index: number) => Promise<T>,
): Promise<T[]> {
  const results: T[] = new Array(count);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < count) {
      const index = next++;
      results[index] = await open(index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(parallel, count) }, worker));
  return results;
}

/** Opens `count` clients, `parallel` at a time, from a target factory. */
export function openClients(
  count: number,
  parallel: number,
  makeTarget: (index: number) => Promise<ClientTarget>,
  makeHandler: (index: number) => FrameHandler,
): Promise<WebSocket[]> {
  return inParallel(count, parallel, async (index) =>
    openClient(await makeTarget(index), makeHandler(index)),
  );
}

/** Closes every client and waits until each has closed. */
export async function closeClients(sockets: readonly WebSocket[]): Promise<void> {
  await Promise.all(
    sockets.map(
      (socket) =>
        new Promise<void>((resolve) => {
          if (socket.readyState === WebSocket.CLOSED) return resolve();
          socket.once('close', () => resolve());
          socket.terminate();
        }),
    ),
  );
}

/**
 * The service's own negotiate (negotiate version 1) for the redirect `{url, accessToken}` the
 * app's negotiate answered, as the official client calls it.
 */
export async function negotiateWithService(info: {
  readonly url: string;
  readonly accessToken: string;
}): Promise<{ connectionId: string; connectionToken: string }> {
  const negotiateUrl = `${info.url.replace('/client/?', '/client/negotiate?')}&negotiateVersion=1`;
  const response = await fetch(negotiateUrl, {
    method: 'POST',
    headers: { Authorization: `Bearer ${info.accessToken}` },
  });
  const body = await response.text();
  if (response.status !== 200)
    throw new Error(`The service's negotiate answered ${response.status}: ${body}`);
  return JSON.parse(body) as { connectionId: string; connectionToken: string };
}

/**
 * A hub client target from the negotiate redirect `{url, accessToken}`: calls the service's own
 * negotiate, then builds the WebSocket URL with the connection token, as the official client does.
 */
export async function hubTarget(info: {
  readonly url: string;
  readonly accessToken: string;
}): Promise<ClientTarget> {
  const { connectionId, connectionToken } = await negotiateWithService(info);
  return {
    connectionId,
    url: `${info.url.replace(/^http/, 'ws')}&id=${encodeURIComponent(connectionToken)}`,
    headers: { Authorization: `Bearer ${info.accessToken}` },
    hubProtocol: true,
  };
}
