import { FanOutTracker, measureFanOut, type FanOutResult } from '../local/clients/measureFanOut';
import {
  loadTarget,
  openLoadClients,
  payloadSequenceReader,
  type LoadProtocol,
  type LoadTransport,
} from '../local/clients/transportClients';
import { MessagePackHubProtocol } from '@microsoft/signalr-protocol-msgpack';
import { formatRecord } from '../local/signalr/hubProtocol';
import { fmt } from './table';
import { negotiateAll, postAsSenders } from './fanOut';
import type { ServerProcess } from './servers';

/**
 * The transports and protocols rows: the full path (negotiate, POST /api/messages through the
 * front door) with every client on one transport in one hub protocol, so Server-Sent Events and
 * long polling are measured beside WebSockets, and MessagePack beside JSON, in the same run.
 */

export interface TransportResult extends FanOutResult {
  readonly transport: LoadTransport;
  readonly protocol: LoadProtocol;
  /** Payload bytes the clients received per delivery (a frame's bytes, transport framing aside). */
  readonly bytesPerDelivery: number;
  /** One chat message's payload as a client received it, for the protocol row's evidence. */
  readonly sample?: string | Buffer;
}

export interface TransportScenario {
  readonly transport: LoadTransport;
  readonly protocol: LoadProtocol;
  readonly clients: number;
  readonly postsPerSecond: number;
  readonly seconds: number;
}

/** Fan-out over the transports at 1,000 clients x 10/s: SSE and long polling beside WebSockets. */
export const TRANSPORT_SCENARIOS: readonly TransportScenario[] = (
  ['WebSockets', 'ServerSentEvents', 'LongPolling'] as const
).map((transport) => ({
  transport,
  protocol: 'json',
  clients: 1_000,
  postsPerSecond: 10,
  seconds: 10,
}));

/** MessagePack against JSON over WebSockets at 1,000 clients x 50/s. */
export const PROTOCOL_SCENARIOS: readonly TransportScenario[] = (
  ['json', 'messagepack'] as const
).map((protocol) => ({
  transport: 'WebSockets',
  protocol,
  clients: 1_000,
  postsPerSecond: 50,
  seconds: 6,
}));

/** The goals for MessagePack against JSON (bytes per delivery, deliveries per second). */
export const MESSAGEPACK_GOAL = { maxBytesRatio: 0.7, minDeliveriesRatio: 1 } as const;

export async function measureTransportFanOut(
  stack: ServerProcess,
  cookies: readonly string[],
  scenario: TransportScenario,
): Promise<TransportResult> {
  const infos = await negotiateAll(stack, cookies);
  const { clients, postsPerSecond, seconds } = scenario;
  const tracker = new FanOutTracker(postsPerSecond * seconds, clients);
  let sample: string | Buffer | undefined;
  const open = await openLoadClients(
    clients,
    50,
    (index) => loadTarget(infos[index % infos.length], scenario.transport, scenario.protocol),
    (index) => {
      const read = payloadSequenceReader(tracker);
      return index === 0
        ? (payload) => {
            if (sample === undefined && payload.includes('seq ')) sample = payload;
            read(payload);
          }
        : read;
    },
  );
  try {
    const result = await measureFanOut(tracker, {
      clients,
      postsPerSecond,
      durationMs: seconds * 1000,
      drainMs: 10_000,
      post: postAsSenders(stack, cookies, cookies.length),
    });
    const bytes = open.reduce((sum, client) => sum + client.bytes(), 0);
    return {
      ...result,
      transport: scenario.transport,
      protocol: scenario.protocol,
      bytesPerDelivery: tracker.deliveries > 0 ? bytes / tracker.deliveries : Number.NaN,
      sample,
    };
  } finally {
    await Promise.all(open.map((client) => client.close()));
  }
}

const TRANSPORT_NAMES: Record<LoadTransport, string> = {
  WebSockets: 'WebSockets',
  ServerSentEvents: 'Server-Sent Events',
  LongPolling: 'long polling',
};

/** The transports rows: each transport's figures, its p99 beside WebSockets' of the same run. */
export function transportRows(results: readonly TransportResult[]): string[][] {
  const ws = results.find((r) => r.transport === 'WebSockets')!;
  return results.map((r) => [
    `fan-out over ${TRANSPORT_NAMES[r.transport]}, ${r.protocol}, full path (p99 beside WebSockets' ${fmt(ws.p99Ms, 1)} ms in the same run: ${fmt(r.p99Ms / ws.p99Ms, 2)} x; ${fmt(r.bytesPerDelivery)} bytes per delivery; no goal but nothing lost)`,
    fmt(r.clients),
    fmt(r.postsPerSecond),
    fmt(r.messages),
    fmt(r.deliveriesPerSecond),
    fmt(r.p50Ms, 1),
    fmt(r.p95Ms, 1),
    fmt(r.p99Ms, 1),
    fmt(r.lost + r.duplicates),
    '',
    '',
    '',
    '',
    r.lost + r.duplicates === 0 ? 'yes' : 'NO',
  ]);
}

/**
 * One message the service sent a MessagePack client: its bytes, the bytes the official protocol
 * (@microsoft/signalr-protocol-msgpack) writes for the same invocation, and the bytes of the
 * JSON frame the service sends a JSON client for it. Equal first two mean the stand-in adds
 * nothing; the last ratio is the message's own, whatever service sends it.
 */
export function sampleBytes(sample: Buffer): { sent: number; official: number; json: number } {
  const logger = { log: () => undefined };
  const bytes = sample.buffer.slice(sample.byteOffset, sample.byteOffset + sample.length);
  const [message] = new MessagePackHubProtocol().parseMessages(bytes as ArrayBuffer, logger);
  const { target, arguments: args } = message as { target: string; arguments: unknown[] };
  return {
    sent: sample.length,
    official: (new MessagePackHubProtocol().writeMessage(message) as ArrayBuffer).byteLength,
    json: Buffer.byteLength(formatRecord({ type: 1, target, arguments: args })),
  };
}

/** The MessagePack row: its bytes and deliveries per second over JSON's in the same run. */
export function protocolRow(json: TransportResult, messagePack: TransportResult): string[] {
  const one = Buffer.isBuffer(messagePack.sample) ? sampleBytes(messagePack.sample) : undefined;
  const bytesRatio = messagePack.bytesPerDelivery / json.bytesPerDelivery;
  const deliveriesRatio = messagePack.deliveriesPerSecond / json.deliveriesPerSecond;
  // At a fixed offered rate both sides deliver what is posted: equal to the table's precision
  // (two decimals) counts as keeping up.
  const met =
    bytesRatio <= MESSAGEPACK_GOAL.maxBytesRatio &&
    Math.round(deliveriesRatio * 100) / 100 >= MESSAGEPACK_GOAL.minDeliveriesRatio &&
    messagePack.lost + messagePack.duplicates === 0;
  return [
    `MessagePack against JSON over WebSockets, full path: bytes per delivery ${fmt(messagePack.bytesPerDelivery)} vs ${fmt(json.bytesPerDelivery)} = ${fmt(bytesRatio, 2)} x (goal: at most ${MESSAGEPACK_GOAL.maxBytesRatio} x), deliveries/s ${fmt(deliveriesRatio, 2)} x JSON's (goal: at least JSON's; JSON p99 ${fmt(json.p99Ms, 1)} ms)${one === undefined ? '' : `; one message as sent: ${fmt(one.sent)} bytes, as the official MessagePackHubProtocol writes it: ${fmt(one.official)}, its JSON frame: ${fmt(one.json)}, so ${fmt(one.official / one.json, 2)} x is the message's own ratio`}`,
    fmt(messagePack.clients),
    fmt(messagePack.postsPerSecond),
    fmt(messagePack.messages),
    fmt(messagePack.deliveriesPerSecond),
    fmt(messagePack.p50Ms, 1),
    fmt(messagePack.p95Ms, 1),
    fmt(messagePack.p99Ms, 1),
    fmt(messagePack.lost + messagePack.duplicates),
    '',
    '',
    '',
    '',
    met ? 'yes' : 'NO',
  ];
}
