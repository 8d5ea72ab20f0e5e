import { Agent, request, type IncomingMessage } from 'node:http';
import WebSocket from 'ws';
import { encode } from '@msgpack/msgpack';
import {
  HANDSHAKE_OK_FRAME,
  JSON_HANDSHAKE_FRAME,
  PING_FRAME,
  formatRecord,
} from '../signalr/hubProtocol';
import { frameBinary } from '../emulator/messagePack';
import {
  CLIENT_KEEP_ALIVE_MS,
  inParallel,
  negotiateWithService,
  type DeliveryTracker,
} from './hubClients';

/**
 * Load clients for the transport and protocol rows of the benchmark: each speaks the hub protocol
 * over one transport (WebSockets, Server-Sent Events, long polling) in JSON or MessagePack, as
 * the official client does on the wire (TransportProtocols.md), light enough to hold 1,000 of in
 * the bench process. Each counts the payload bytes it receives, for bytes per delivery.
 */

export type LoadTransport = 'WebSockets' | 'ServerSentEvents' | 'LongPolling';
export type LoadProtocol = 'json' | 'messagepack';

export interface LoadTarget {
  /** The service's client URL with the connection token (`http://…/client/?hub=…&id=…`). */
  readonly url: string;
  readonly accessToken: string;
  readonly transport: LoadTransport;
  readonly protocol: LoadProtocol;
}

/** Receives what arrives after the handshake: text frames, or MessagePack bytes. */
export type PayloadHandler = (payload: string | Buffer) => void;

export interface LoadClient {
  /** Payload bytes received after the handshake. */
  readonly bytes: () => number;
  close(): Promise<void>;
}

const MESSAGEPACK_HANDSHAKE = formatRecord({ protocol: 'messagepack', version: 1 });
const MESSAGEPACK_PING = frameBinary(encode([6]));
const SEQ = Buffer.from('seq ');

/**
 * Finds every `seq N` in a payload, text or MessagePack, without decoding it: in MessagePack the
 * text is a string whose bytes are the same. Bench texts are `seq N xxx…`, and no other field
 * holds `seq `.
 */
export function payloadSequenceReader(tracker: DeliveryTracker): PayloadHandler {
  return (payload) => {
    const bytes = typeof payload === 'string' ? Buffer.from(payload) : payload;
    let at = bytes.indexOf(SEQ);
    while (at >= 0) {
      let end = at + SEQ.length;
      let value = 0;
      while (end < bytes.length && bytes[end] >= 48 && bytes[end] <= 57)
        value = value * 10 + bytes[end++] - 48;
      if (end > at + SEQ.length) tracker.onDelivery(value);
      at = bytes.indexOf(SEQ, end);
    }
  };
}

/** One keep-alive socket per open request: 1,000 long polls or event streams at once. */
const agent = new Agent({ keepAlive: true, maxSockets: Infinity });

function httpCall(
  url: string,
  method: string,
  headers: Record<string, string>,
  body?: string | Buffer,
): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers, agent }, resolve);
    req.on('error', reject);
    req.end(body);
  });
}

async function readAll(res: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of res) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** Opens one client; resolves once the handshake is answered. */
export function openLoadClient(target: LoadTarget, onPayload: PayloadHandler): Promise<LoadClient> {
  if (target.transport === 'WebSockets') return openWebSocket(target, onPayload);
  return openHttp(target, onPayload);
}

function openWebSocket(target: LoadTarget, onPayload: PayloadHandler): Promise<LoadClient> {
  const binary = target.protocol === 'messagepack';
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(target.url.replace(/^http/, 'ws'), {
      headers: { Authorization: `Bearer ${target.accessToken}` },
      perMessageDeflate: false,
    });
    let bytes = 0;
    let ready = false;
    const client: LoadClient = {
      bytes: () => bytes,
      close: () =>
        new Promise((done) => {
          if (socket.readyState === WebSocket.CLOSED) return done();
          socket.once('close', () => done());
          socket.terminate();
        }),
    };
    socket.on('open', () => {
      socket.send(binary ? MESSAGEPACK_HANDSHAKE : JSON_HANDSHAKE_FRAME);
      const keepAlive = setInterval(() => {
        if (socket.readyState === WebSocket.OPEN)
          socket.send(binary ? MESSAGEPACK_PING : PING_FRAME);
      }, CLIENT_KEEP_ALIVE_MS);
      keepAlive.unref();
      socket.once('close', () => clearInterval(keepAlive));
    });
    socket.on('message', (data: Buffer, isBinary) => {
      if (!ready) {
        const text = data.toString();
        if (!text.startsWith(HANDSHAKE_OK_FRAME)) {
          reject(new Error(`Handshake refused: ${text.slice(0, 200)}`));
          socket.close();
          return;
        }
        ready = true;
        resolve(client);
        return;
      }
      bytes += data.length;
      onPayload(isBinary ? data : data.toString());
    });
    socket.on('error', reject);
    socket.on('unexpected-response', (_req, res) =>
      reject(new Error(`WebSocket upgrade refused with ${res.statusCode}`)),
    );
  });
}

type AuthHeaders = Record<string, string>;

/** The event stream: each event's `data` lines are one payload. Resolves with its stop. */
async function receiveEvents(
  url: string,
  auth: AuthHeaders,
  receive: (payload: Buffer) => void,
): Promise<() => Promise<void>> {
  const stream = await httpCall(url, 'GET', { ...auth, Accept: 'text/event-stream' });
  if (stream.statusCode !== 200) throw new Error(`The event stream answered ${stream.statusCode}.`);
  let pending = '';
  stream.setEncoding('utf8');
  stream.on('data', (chunk: string) => {
    pending += chunk;
    let end = pending.indexOf('\r\n\r\n');
    while (end >= 0) {
      const data = pending
        .slice(0, end)
        .split('\r\n')
        .filter((line) => line.startsWith('data: '))
        .map((line) => line.slice(6))
        .join('\n');
      pending = pending.slice(end + 4);
      if (data.length > 0) receive(Buffer.from(data));
      end = pending.indexOf('\r\n\r\n');
    }
  });
  return () => Promise.resolve(void stream.destroy());
}

/** Long polling: the first poll makes the connection; then poll after poll. Resolves with its stop. */
async function receivePolls(
  url: string,
  auth: AuthHeaders,
  receive: (payload: Buffer) => void,
): Promise<() => Promise<void>> {
  const first = await httpCall(url, 'GET', auth);
  await readAll(first);
  if (first.statusCode !== 200) throw new Error(`The first poll answered ${first.statusCode}.`);
  let closed = false;
  void (async () => {
    while (!closed) {
      const res = await httpCall(url, 'GET', auth).catch(() => undefined);
      if (res === undefined || res.statusCode !== 200) break;
      const body = await readAll(res);
      if (body.length > 0) receive(body);
    }
  })();
  return async () => {
    closed = true;
    // DELETE ends a long-polling connection and its waiting poll (TransportProtocols.md).
    await readAll(await httpCall(url, 'DELETE', auth)).catch(() => undefined);
  };
}

/**
 * Server-Sent Events or long polling, each with HTTP POST for what the client sends: the
 * handshake, then a Ping every 15 s as the official client keeps a connection alive.
 */
async function openHttp(target: LoadTarget, onPayload: PayloadHandler): Promise<LoadClient> {
  const auth = { Authorization: `Bearer ${target.accessToken}` };
  const binary = target.protocol === 'messagepack';
  let bytes = 0;
  const send = async (body: string | Buffer) => {
    const res = await httpCall(target.url, 'POST', auth, body);
    await readAll(res);
    if (res.statusCode !== 200) throw new Error(`A send answered ${res.statusCode}.`);
  };
  let handshakeAnswered!: (ok: boolean) => void;
  const handshake = new Promise<boolean>((resolve) => (handshakeAnswered = resolve));
  let ready = false;
  /** What arrives: the handshake answer first, then payloads. */
  const receive = (payload: Buffer) => {
    if (!ready) {
      const text = payload.toString();
      if (!text.startsWith(HANDSHAKE_OK_FRAME)) return handshakeAnswered(false);
      ready = true;
      handshakeAnswered(true);
      payload = payload.subarray(Buffer.byteLength(HANDSHAKE_OK_FRAME));
      if (payload.length === 0) return;
    }
    bytes += payload.length;
    onPayload(binary ? payload : payload.toString());
  };

  const stop =
    target.transport === 'ServerSentEvents'
      ? await receiveEvents(target.url, auth, receive)
      : await receivePolls(target.url, auth, receive);
  await send(binary ? MESSAGEPACK_HANDSHAKE : JSON_HANDSHAKE_FRAME);
  if (!(await handshake)) throw new Error('Handshake refused.');
  const keepAlive = setInterval(
    () => void send(binary ? MESSAGEPACK_PING : PING_FRAME).catch(() => undefined),
    CLIENT_KEEP_ALIVE_MS,
  );
  keepAlive.unref();
  return {
    bytes: () => bytes,
    close: async () => {
      clearInterval(keepAlive);
      await stop();
    },
  };
}

/** Opens `count` clients, `parallel` at a time. */
export function openLoadClients(
  count: number,
  parallel: number,
  makeTarget: (index: number) => Promise<LoadTarget>,
  makeHandler: (index: number) => PayloadHandler,
): Promise<LoadClient[]> {
  return inParallel(count, parallel, async (index) =>
    openLoadClient(await makeTarget(index), makeHandler(index)),
  );
}

/**
 * A target from the negotiate redirect `{url, accessToken}`: the service's own negotiate, then the
 * client URL with the connection token, as the official client builds it.
 */
export async function loadTarget(
  info: { readonly url: string; readonly accessToken: string },
  transport: LoadTransport,
  protocol: LoadProtocol,
): Promise<LoadTarget> {
  const { connectionToken } = await negotiateWithService(info);
  return {
    url: `${info.url}&id=${encodeURIComponent(connectionToken)}`,
    accessToken: info.accessToken,
    transport,
    protocol,
  };
}
