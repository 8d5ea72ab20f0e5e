import { randomUUID } from 'node:crypto';
import { Agent } from 'node:http';
import autocannon from 'autocannon';
import { HubConnectionBuilder, LogLevel } from '@microsoft/signalr';
import { HISTORY_PAGE_SIZE } from '../lib/ChatMessage';
import { HUB_NAME, HubMethod } from '../lib/hub';
import { closeClients, hubTarget, openClients, sequenceReader } from '../local/clients/hubClients';
import { FanOutTracker } from '../local/clients/measureFanOut';
import { createConnectionInfo } from '../lib/signalr/tokens';
import { parseConnectionString } from '../lib/signalr/ConnectionString';
import { measureOpenLoop, type OpenLoopResult } from './openLoop';
import { postJson, startServer } from './servers';

/** An open-loop run after 2 s of warm-up at the same rate; the agent is closed after. */
async function warmThenMeasure(
  options: Omit<Parameters<typeof measureOpenLoop>[0], 'seconds'>,
  agent: Agent,
  seconds: number,
): Promise<OpenLoopResult> {
  try {
    await measureOpenLoop({ ...options, seconds: 2 });
    return await measureOpenLoop({ ...options, seconds });
  } finally {
    agent.destroy();
  }
}

/** What a page asks for when it loads history. */
const HISTORY_PAGE = `/api/messages?limit=${HISTORY_PAGE_SIZE}`;

/** Checks once that the official client sees what the load clients see. */
export async function checkOfficialClient(
  api: string,
  cookies: readonly string[],
  messages: number,
): Promise<number> {
  const connection = new HubConnectionBuilder()
    .withUrl(`${api}/api`, { headers: { Cookie: cookies[0] } })
    .configureLogging(LogLevel.None)
    .build();
  let received = 0;
  connection.on(HubMethod.NewMessage, (message: { text: string }) => {
    if (message.text.startsWith('official ')) received++;
  });
  await connection.start();
  // From several senders, as people send: one sender's 20 in a row would meet the send limit.
  for (let i = 0; i < messages; i++)
    await postJson(`${api}/api/messages`, JSON.stringify({ text: `official ${i}` }), {
      Cookie: cookies[i % cookies.length],
    });
  const deadline = Date.now() + 5000;
  while (received < messages && Date.now() < deadline)
    await new Promise((resolve) => setTimeout(resolve, 20));
  await connection.stop();
  return received;
}

export function measureNegotiate(
  api: string,
  cookie: string,
  seconds = 5,
): Promise<autocannon.Result> {
  return autocannon({
    url: `${api}/api/negotiate`,
    method: 'POST',
    headers: { Cookie: cookie },
    connections: 32,
    duration: seconds,
  });
}

export interface MemoryFigures {
  readonly perConnectionBytes: number;
  readonly heapPerConnectionBytes: number;
  readonly connections: number;
}

/** The emulator's memory per idle connection, with `clients` connected in another process. */
export async function measureMemory(clients: number, users: number): Promise<MemoryFigures> {
  const emulator = await startServer('emulator');
  const cs = parseConnectionString(emulator.ready.connectionString!);
  const before = await emulator.memory();
  const infos = Array.from({ length: users }, (_, i) =>
    createConnectionInfo(cs, { hub: HUB_NAME, userId: `idle${i}` }),
  );
  const tracker = new FanOutTracker(0, clients);
  const sockets = await openClients(
    clients,
    100,
    (index) => hubTarget(infos[index % users]),
    () => sequenceReader(tracker),
  );
  const after = await emulator.memory();
  await closeClients(sockets);
  await emulator.close();
  return {
    perConnectionBytes: (after.rss - before.rss) / clients,
    heapPerConnectionBytes:
      (after.heapUsed + after.external - before.heapUsed - before.external) / clients,
    connections: after.connections ?? 0,
  };
}

/**
 * GET /api/messages (a page of history) through the front door, as pages load history: 32 connections flat
 * out, each asking as each reader in turn (so every reader's own partition is read too).
 */
export function measureHistoryReads(
  api: string,
  readers: readonly string[],
  seconds: number,
): Promise<autocannon.Result> {
  return autocannon({
    url: api,
    requests: readers.map((cookie) => ({
      method: 'GET',
      path: HISTORY_PAGE,
      headers: { Cookie: cookie },
    })),
    connections: 32,
    duration: seconds,
  });
}

/**
 * GET /api/messages (a page of history) as pages load it: `rate` a second at random times, readers in turn;
 * measured after a warm-up at the same rate on the same keep-alive sockets.
 */
export async function measureHistoryReadsAt(
  api: string,
  readers: readonly string[],
  rate: number,
  seconds: number,
): Promise<OpenLoopResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: 256 });
  const options = {
    url: `${api}${HISTORY_PAGE}`,
    headers: (n: number) => ({ Cookie: readers[n % readers.length] }),
    rate,
    agent,
  };
  return warmThenMeasure(options, agent, seconds);
}

/** Private messages among the readers, so their own partitions hold something to read. */
export async function sendPrivateMessages(
  api: string,
  readers: readonly string[],
  names: readonly string[],
  perReader: number,
): Promise<void> {
  for (let k = 0; k < perReader; k++)
    await Promise.all(
      readers.map(async (cookie, i) => {
        const recipient = names[(i + k + 1) % readers.length];
        const body = JSON.stringify({ text: `private ${k}`, recipient });
        const { status } = await postJson(`${api}/api/messages`, body, { Cookie: cookie });
        if (status !== 202) throw new Error(`A private message was answered ${status}.`);
      }),
    );
}

/**
 * Time from a user's connect (start of `connection.start()`) to `userOnline` for them at
 * another client: the upstream call, OnConnected's storage write and the broadcast.
 */
export async function measurePresence(
  api: string,
  watcherCookie: string,
  cookies: readonly string[],
  names: readonly string[],
): Promise<number[]> {
  const watcher = new HubConnectionBuilder()
    .withUrl(`${api}/api`, { headers: { Cookie: watcherCookie } })
    .configureLogging(LogLevel.None)
    .build();
  const waiting = new Map<string, () => void>();
  watcher.on(HubMethod.UserOnline, ({ name }: { name: string }) => waiting.get(name)?.());
  await watcher.start();
  const latencies: number[] = [];
  const connections = [];
  for (const [i, cookie] of cookies.entries()) {
    const connection = new HubConnectionBuilder()
      .withUrl(`${api}/api`, { headers: { Cookie: cookie } })
      .configureLogging(LogLevel.None)
      .build();
    const seen = new Promise<void>((resolve) => waiting.set(names[i], resolve));
    const started = performance.now();
    await connection.start();
    await Promise.race([seen, new Promise((resolve) => setTimeout(resolve, 5000))]);
    latencies.push(performance.now() - started);
    connections.push(connection);
  }
  await Promise.all([watcher, ...connections].map((connection) => connection.stop()));
  return latencies;
}

/** Where one side of a paired send-latency run posts, and as whom. */
export interface SendSide {
  readonly api: string;
  readonly senders: readonly string[];
}

/** Two measurements taken in turn, round by round (inTurn). */
export interface Paired<T> {
  /** Each round's result for A and for B, in the order they ran. */
  readonly a: T[];
  readonly b: T[];
}

export const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((x, y) => x - y);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
};

/**
 * `rounds` rounds of A then B, as farm-bench pairs commands: two stacks started together hold
 * the same rows (Azurite's inserts and queries slow as a table grows), and a machine that slows
 * for a while slows both halves of a round.
 */
export async function inTurn<T>(
  rounds: number,
  a: () => Promise<T>,
  b: () => Promise<T>,
): Promise<Paired<T>> {
  const paired: Paired<T> = { a: [], b: [] };
  for (let round = 0; round < rounds; round++) {
    paired.a.push(await a());
    paired.b.push(await b());
  }
  return paired;
}

/** What A adds to B: the median over rounds of A's `value` minus B's. */
export function pairedCost<T>(paired: Paired<T>, value: (result: T) => number): number {
  return median(paired.a.map((result, i) => value(result) - value(paired.b[i])));
}

/**
 * POST /api/messages at `rate` a second, open loop, as pages send (JSON with a clientId), on
 * two stacks in turn (inTurn): after 2 s of warm-up on each, `rounds` rounds of `seconds` on A
 * then on B.
 */
export async function measurePairedSendLatency(
  a: SendSide,
  b: SendSide,
  rate: number,
  seconds: number,
  rounds: number,
): Promise<Paired<OpenLoopResult>> {
  const agents = [a, b].map(() => new Agent({ keepAlive: true, maxSockets: 256 }));
  const run = (side: SendSide, agent: Agent, runSeconds: number) =>
    measureOpenLoop({
      url: `${side.api}/api/messages`,
      headers: (n: number) => ({ Cookie: side.senders[n % side.senders.length] }),
      body: (n: number) => JSON.stringify({ text: `timed ${n}`, clientId: randomUUID() }),
      rate,
      agent,
      seconds: runSeconds,
    });
  try {
    await run(a, agents[0], 2);
    await run(b, agents[1], 2);
    return await inTurn(
      rounds,
      () => run(a, agents[0], seconds),
      () => run(b, agents[1], seconds),
    );
  } finally {
    for (const agent of agents) agent.destroy();
  }
}
