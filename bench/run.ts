/**
 * `npm run bench`: measures the offline stack on this machine and prints one table.
 * Servers run in child processes (bench/serverProcess.ts); this process holds the clients.
 * Progress goes to stderr, the table to stdout.
 */
import { writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join, relative } from 'node:path';
import type autocannon from 'autocannon';
import { HISTORY_PAGE_SIZE } from '../lib/ChatMessage';
import type { FanOutResult } from '../local/clients/measureFanOut';
import { signIn } from '../local/clients/signIn';
import {
  measureRawFanOut,
  measureRawRoomFanOut,
  measureStackFanOut,
  measureStackRoomFanOut,
  type RoomFanOutScenario,
} from './fanOut';
import { percentile } from '../local/clients/measureFanOut';
import {
  measureFirstMessage,
  measureRoomReads,
  measureStorageWrites,
  measureTyping,
  seedRoom,
} from './roomMeasurements';
import {
  checkOfficialClient,
  measureHistoryReads,
  measureHistoryReadsAt,
  measureMemory,
  measureNegotiate,
  measurePresence,
  inTurn,
  measurePairedSendLatency,
  median,
  pairedCost,
  sendPrivateMessages,
  type Paired,
} from './measurements';
import {
  FAN_OUT_SCENARIOS,
  WARM_UP,
  describeGoal,
  meetsGoal,
  type FanOutGoal,
  type FanOutScenario,
} from './scenarios';
import type { OpenLoopResult } from './openLoop';
import { closeAgent, startServer } from './servers';
import { fmt, formatTable, progress } from './table';
import {
  PROTOCOL_SCENARIOS,
  TRANSPORT_SCENARIOS,
  measureTransportFanOut,
  protocolRow,
  transportRows,
  type TransportResult,
} from './transports';

const USERS = 100;
/**
 * Users the fan-out POSTs cycle through: at 200 POST/s, 2 a second each, inside the per-user
 * send limit's burst for the few seconds a scenario lasts (10 at once, 60 a minute).
 */
const SENDERS = USERS;
/** POSTs a second the send limit's cost is measured at, open loop, over SEND_SENDERS senders. */
const SEND_RATE = 100;
/** Senders for that: each posts about once in two seconds, well inside the limit (1 a second). */
const SEND_SENDERS = 200;
/** Paired rounds of the send limit's cost, each this long on each stack. */
const SEND_ROUNDS = 3;
const SEND_SECONDS = 5;
/** Users whose pages read history at once in the history-read row, 5 private messages each. */
const READERS = 20;
/** Page loads a second the history-read goal is measured at (issue 14). */
const HISTORY_READ_GOAL = 600;
/**
 * Rounds of the 600/s history reads; the row is the round with the median p99. One 5 s round's
 * p99 is its 30th-slowest answer, so a single pause of the machine (a collection, another
 * process's turn on one of two cores) decides it: one round printed 43 ms, another 208.
 */
const HISTORY_READ_ROUNDS = 3;
const IDLE_CLIENTS = 10_000;
/** Members of one room who each type once, for typing's latency. */
const TYPISTS = 50;
/** Page loads of each kind (cold, warm) for the first message's time. */
const PAGE_LOADS = 10;
/** A room's latest page asked for this often, with 1,000 and with 100,000 stored. */
const ROOM_READ_RATE = 100;
/** Room fan-out: 100 rooms of 10 members (1,000 users, each in one room), as issue 20 asks. */
const ROOM_FAN_OUT_GOAL: FanOutGoal = { minThroughputRatio: 0.9, maxP99Ratio: 2 };
const ROOM_FAN_OUT: RoomFanOutScenario = {
  rooms: 100,
  members: 10,
  postsPerSecond: 100,
  seconds: 6,
};
/** Where the table goes, for the README to link to (this file runs from dist/bench/). */
const REPORT = join(__dirname, '..', '..', 'docs', 'benchmark.md');
/** The load at which the history write's cost is compared (1,000 clients, 10 POST/s). */
const HISTORY_SCENARIO = FAN_OUT_SCENARIOS[1];
/**
 * Rounds of each fan-out scenario, on ours and on the raw baseline in turn. One run's p99 swung
 * from 26.4 ms to 113.7 ms on the same code (1,000 clients x 50/s): a pause of this 2-core
 * machine decides a single run.
 */
const FAN_OUT_ROUNDS = 3;
/** The round whose p99 is the median of the rounds' (an odd count of rounds: one of them). */
function medianRound<T extends { readonly p99Ms: number }>(results: readonly T[]): T {
  const middle = median(results.map((r) => r.p99Ms));
  return results.find((r) => r.p99Ms === middle)!;
}
/** Paired rounds of the history write's cost. */
const HISTORY_ROUNDS = 3;

const HEADER = [
  'scenario',
  'clients',
  'POST/s',
  'messages',
  'deliveries/s',
  'p50 ms',
  'p95 ms',
  'p99 ms',
  'lost',
  'raw ws deliveries/s',
  'raw p99 ms',
  'ours / raw deliveries',
  'ours / raw p99',
  'goal met',
];

const label = (s: FanOutScenario) =>
  `fan-out ${fmt(s.clients)} x ${s.postsPerSecond}/s, full path (${describeGoal(s.goal)})`;

/** A fan-out row: ours beside the raw server at the same load, and whether `goal` holds. */
function fanOutRow(
  scenario: string,
  clients: number,
  goal: FanOutGoal,
  ours: FanOutResult,
  raw: FanOutResult,
): string[] {
  return [
    `${scenario} (${describeGoal(goal)})`,
    fmt(clients),
    fmt(ours.postsPerSecond),
    fmt(ours.messages),
    fmt(ours.deliveriesPerSecond),
    fmt(ours.p50Ms, 1),
    fmt(ours.p95Ms, 1),
    fmt(ours.p99Ms, 1),
    fmt(ours.lost + ours.duplicates),
    fmt(raw.deliveriesPerSecond),
    fmt(raw.p99Ms, 1),
    fmt(ours.deliveriesPerSecond / raw.deliveriesPerSecond, 2),
    fmt(ours.p99Ms / raw.p99Ms, 2),
    meetsGoal(goal, ours, raw) ? 'yes' : 'NO',
  ];
}

/** A row for an open-loop run: requests sent, rate answered, p50, p99, failures, goal. */
function openLoopRow(
  scenario: string,
  result: OpenLoopResult,
  failed: number,
  goalMet: boolean,
): string[] {
  return [
    scenario,
    '',
    '',
    fmt(result.sent),
    `${fmt(result.answeredPerSecond)} req/s`,
    fmt(result.p50Ms, 1),
    '',
    fmt(result.p99Ms, 1),
    fmt(failed),
    ...Array<string>(4).fill(''),
    goalMet ? 'yes' : 'NO',
  ];
}

/** A row for an autocannon run: requests, rate, p50, p99, failures, and the goal if it has one. */
function requestsRow(scenario: string, result: autocannon.Result, goalMet?: boolean): string[] {
  return [
    scenario,
    '',
    '',
    fmt(result.requests.total),
    `${fmt(result.requests.average)} req/s`,
    fmt(result.latency.p50, 1),
    '',
    fmt(result.latency.p99, 1),
    fmt(result.non2xx + result.errors),
    '',
    '',
    '',
    '',
    goalMet === undefined ? '' : goalMet ? 'yes' : 'NO',
  ];
}

/** Signs every name in, `parallel` at a time (a thousand at once would measure the sign-in page). */
async function signInAll(api: string, names: readonly string[], parallel = 50): Promise<string[]> {
  const cookies: string[] = [];
  for (let from = 0; from < names.length; from += parallel)
    cookies.push(
      ...(await Promise.all(names.slice(from, from + parallel).map((name) => signIn(api, name)))),
    );
  return cookies;
}

async function main(): Promise<void> {
  const started = Date.now();
  progress('starting the offline stack');
  const stack = await startServer('stack');
  const api = stack.ready.api!;
  const userNames = Array.from({ length: USERS }, (_, i) => `user${i}`);
  const cookies = await Promise.all(userNames.map((name) => signIn(api, name)));
  const officialReceived = await checkOfficialClient(api, cookies, 20);
  progress(`official client: ${officialReceived} of 20 messages`);
  // The raw baseline runs beside the stack from the start: each fan-out scenario is measured
  // on ours and on raw in turn, so a machine that slows for a while slows both sides of a round.
  const raw = await startServer('raw');
  progress('warming up the stack and the baseline');
  await measureStackFanOut(stack, cookies, SENDERS, WARM_UP);
  await measureRawFanOut(raw, WARM_UP);
  // Rounds outside, scenarios inside: a scenario's three rounds are minutes apart, so one slow
  // spell of the machine touches one of them.
  const fanOuts: Paired<FanOutResult>[] = FAN_OUT_SCENARIOS.map(() => ({ a: [], b: [] }));
  const fanOutRound = async (round: number) => {
    for (const [i, scenario] of FAN_OUT_SCENARIOS.entries()) {
      fanOuts[i].a.push(await measureStackFanOut(stack, cookies, SENDERS, scenario));
      fanOuts[i].b.push(await measureRawFanOut(raw, scenario));
      progress(
        `${label(scenario)}, round ${round + 1} of ${FAN_OUT_ROUNDS}: p99 ours ${fmt(fanOuts[i].a[round].p99Ms, 1)} ms, raw ${fmt(fanOuts[i].b[round].p99Ms, 1)} ms`,
      );
    }
  };
  await fanOutRound(0);
  // History reads after the first round, as before the rounds: every POST above stored its
  // message, and Azurite scans the whole table for each query, so reads measured after all three
  // rounds (three times the rows) were slower whatever the app did (p99 31-43 ms on a fresh
  // stack, 72-105 ms after three rounds, in one trial).
  progress('history reads through the front door: started');
  const readers = cookies.slice(0, READERS);
  await sendPrivateMessages(api, readers, userNames.slice(0, READERS), 5);
  await measureHistoryReads(api, readers, 2); // warm-up, as every measured path has
  // Flat out over every user: 20 readers at 1,000+ reads a second each would meet the per-user
  // read limit, which is what it is for; capacity is measured across users.
  const historyReads = await measureHistoryReads(api, cookies, 5);
  const historyRounds: OpenLoopResult[] = [];
  for (let round = 0; round < HISTORY_READ_ROUNDS; round++)
    historyRounds.push(await measureHistoryReadsAt(api, readers, HISTORY_READ_GOAL, 5));
  const historyP99s = historyRounds.map((round) => round.p99Ms);
  const historyAtGoal = medianRound(historyRounds);
  const historyFailed = historyRounds.reduce((sum, round) => sum + round.failed, 0);
  progress(
    `history: flat out ${fmt(historyReads.requests.average)} req/s, p99 ${fmt(historyReads.latency.p99, 1)} ms; at ${HISTORY_READ_GOAL}/s offered ${fmt(historyAtGoal.answeredPerSecond)} req/s, p99 ${historyP99s.map((p) => fmt(p, 1)).join(', ')} ms in ${HISTORY_READ_ROUNDS} rounds`,
  );
  for (let round = 1; round < FAN_OUT_ROUNDS; round++) await fanOutRound(round);
  const transports: TransportResult[] = [];
  for (const scenario of [...TRANSPORT_SCENARIOS, ...PROTOCOL_SCENARIOS]) {
    transports.push(await measureTransportFanOut(stack, cookies, scenario));
    const r = transports.at(-1)!;
    progress(
      `fan-out over ${scenario.transport} in ${scenario.protocol}, ${fmt(scenario.clients)} x ${scenario.postsPerSecond}/s: p99 ${fmt(r.p99Ms, 1)} ms, ${fmt(r.bytesPerDelivery)} bytes per delivery, lost ${fmt(r.lost + r.duplicates)}`,
    );
  }
  progress(
    `room fan-out, ${ROOM_FAN_OUT.rooms} rooms of ${ROOM_FAN_OUT.members} members: signing in ${fmt(ROOM_FAN_OUT.rooms * ROOM_FAN_OUT.members)} users`,
  );
  const memberCookies = await signInAll(
    api,
    Array.from({ length: ROOM_FAN_OUT.rooms * ROOM_FAN_OUT.members }, (_, i) => `member${i}`),
  );
  await measureStackRoomFanOut(stack, memberCookies, { ...ROOM_FAN_OUT, seconds: 2 }); // warm-up
  const roomFanOut = await measureStackRoomFanOut(stack, memberCookies, ROOM_FAN_OUT);
  progress(
    `room fan-out: ${fmt(roomFanOut.deliveriesPerSecond)}/s, p99 ${fmt(roomFanOut.p99Ms, 1)} ms`,
  );
  const storageWrites = await measureStorageWrites(
    stack.ready.storage!,
    ROOM_FAN_OUT.postsPerSecond,
    ROOM_FAN_OUT.seconds,
  );
  progress(`storage writes alone: p99 ${fmt(storageWrites.p99Ms, 1)} ms`);
  progress('negotiate through the front door: started');
  await measureNegotiate(api, cookies[0], 2); // warm-up, as every measured path has
  const negotiate = await measureNegotiate(api, cookies[0]);
  progress(
    `negotiate: ${fmt(negotiate.requests.average)} req/s, p99 ${fmt(negotiate.latency.p99, 1)} ms`,
  );
  await stack.close();

  progress('presence (a stack with upstream): connect to userOnline, 20 users: started');
  const presenceStack = await startServer('stack-presence');
  const presenceApi = presenceStack.ready.api!;
  const presenceNames = Array.from({ length: 20 }, (_, i) => `newcomer${i}`);
  const presence = await measurePresence(
    presenceApi,
    await signIn(presenceApi, 'watcher'),
    await Promise.all(presenceNames.map((name) => signIn(presenceApi, name))),
    presenceNames,
  ).then((values) => values.sort((a, b) => a - b));

  // Rooms, typing and the page, on the same stack (typing goes through the upstream).
  progress('typing seen by another member of a room (50 typists): started');
  const typistNames = Array.from({ length: TYPISTS }, (_, i) => `typist${i}`);
  const typistCookies = await Promise.all(typistNames.map((name) => signIn(presenceApi, name)));
  const watcherCookie = await signIn(presenceApi, 'room-watcher');
  const typing = (
    await measureTyping(presenceApi, watcherCookie, typistCookies, typistNames, 'bench-room')
  ).sort((a, b) => a - b);
  progress(`typing: p99 ${fmt(percentile(typing, 99), 1)} ms`);
  progress('first message on the page, cold and warm loads in Chromium: started');
  for (let i = 0; i < 20; i++)
    await fetch(`${presenceApi}/api/messages`, {
      method: 'POST',
      headers: { Cookie: watcherCookie, 'Content-Type': 'application/json' },
      body: JSON.stringify({ text: `history ${i}` }),
    });
  const firstMessage = await measureFirstMessage(
    presenceStack.ready.page!,
    presenceApi,
    watcherCookie,
    PAGE_LOADS,
  );
  const cold = [...firstMessage.coldMs].sort((a, b) => a - b);
  const warm = [...firstMessage.warmMs].sort((a, b) => a - b);
  progress(
    `first message: cold p50 ${fmt(percentile(cold, 50), 0)} ms, warm p50 ${fmt(percentile(warm, 50), 0)} ms`,
  );
  progress("a room's latest page with 1,000 and with 100,000 messages stored: started");
  await seedRoom(presenceStack.ready.storage!, 'small-room', 1_000);
  const seeding = Date.now();
  // Azurite checks each insert against the whole partition, so this takes minutes (quadratic).
  await seedRoom(presenceStack.ready.storage!, 'large-room', 100_000);
  progress(`seeded 100,000 messages in ${fmt((Date.now() - seeding) / 1000, 0)} s`);
  const roomReaders = typistCookies.slice(0, READERS);
  for (const room of ['small-room', 'large-room'])
    await Promise.all(
      roomReaders.map((cookie) =>
        fetch(`${presenceApi}/api/rooms/${room}/join`, {
          method: 'POST',
          headers: { Cookie: cookie },
        }),
      ),
    );
  const smallRoom = await measureRoomReads(
    presenceApi,
    roomReaders,
    'small-room',
    ROOM_READ_RATE,
    5,
  );
  const largeRoom = await measureRoomReads(
    presenceApi,
    roomReaders,
    'large-room',
    ROOM_READ_RATE,
    5,
  );
  progress(
    `room reads: p99 ${fmt(smallRoom.p99Ms, 1)} ms with 1,000, ${fmt(largeRoom.p99Ms, 1)} ms with 100,000`,
  );
  await presenceStack.close();

  progress('send limit: two fresh stacks, with and without it (ChatSendsPerMinute=0), in turn');
  const [limited, unlimited] = await Promise.all([
    startServer('stack'),
    startServer('stack-no-send-limit'),
  ]);
  const senderNames = Array.from({ length: SEND_SENDERS }, (_, i) => `sender${i}`);
  const side = async (server: typeof limited) => ({
    api: server.ready.api!,
    senders: await signInAll(server.ready.api!, senderNames),
  });
  const sendLimit = await measurePairedSendLatency(
    await side(limited),
    await side(unlimited),
    SEND_RATE,
    SEND_SECONDS,
    SEND_ROUNDS,
  );
  await Promise.all([limited.close(), unlimited.close()]);

  progress('starting the stack with history in memory (the Table Storage write is the difference)');
  // Paired, as the send limit is: two fresh stacks started together, the scenario on each in
  // turn, HISTORY_ROUNDS rounds; the cost is the median of the rounds' p99 differences.
  const [stored, plain] = await Promise.all([
    startServer('stack'),
    startServer('stack-memory-history'),
  ]);
  const senders = Array.from({ length: SENDERS }, (_, i) => `user${i}`);
  const [storedCookies, plainCookies] = await Promise.all([
    signInAll(stored.ready.api!, senders),
    signInAll(plain.ready.api!, senders),
  ]);
  await measureStackFanOut(stored, storedCookies, SENDERS, WARM_UP);
  await measureStackFanOut(plain, plainCookies, SENDERS, WARM_UP);
  const historyCost = await inTurn(
    HISTORY_ROUNDS,
    () => measureStackFanOut(stored, storedCookies, SENDERS, HISTORY_SCENARIO),
    () => measureStackFanOut(plain, plainCookies, SENDERS, HISTORY_SCENARIO),
  );
  await Promise.all([stored.close(), plain.close()]);

  await measureRawRoomFanOut(raw, { ...ROOM_FAN_OUT, seconds: 2 });
  const rawRoomFanOut = await measureRawRoomFanOut(raw, ROOM_FAN_OUT);
  progress(
    `baseline room fan-out: ${fmt(rawRoomFanOut.deliveriesPerSecond)}/s, p99 ${fmt(rawRoomFanOut.p99Ms, 1)} ms`,
  );
  await raw.close();
  progress(`emulator memory with ${fmt(IDLE_CLIENTS)} idle connections: started`);
  const memory = await measureMemory(IDLE_CLIENTS, USERS);
  progress(`memory: ${fmt(memory.perConnectionBytes / 1024, 1)} KB per connection`);

  const table: string[][] = [HEADER];
  FAN_OUT_SCENARIOS.forEach((scenario, i) => {
    const { a: ours, b: baseline } = fanOuts[i];
    const p99s = (results: FanOutResult[]) => results.map((r) => fmt(r.p99Ms, 1)).join(', ');
    // Each side's round with the median p99; lost counts every round of ours.
    const row = fanOutRow(
      `fan-out, full path, ${FAN_OUT_ROUNDS} rounds in turn with raw, each side's median-p99 round (p99s ours ${p99s(ours)} ms, raw ${p99s(baseline)} ms)`,
      scenario.clients,
      scenario.goal,
      {
        ...medianRound(ours),
        lost: ours.reduce((sum, r) => sum + r.lost, 0),
        duplicates: ours.reduce((sum, r) => sum + r.duplicates, 0),
      },
      medianRound(baseline),
    );
    table.push(row);
  });
  table.push(...transportRows(transports.slice(0, TRANSPORT_SCENARIOS.length)));
  table.push(
    protocolRow(transports[TRANSPORT_SCENARIOS.length], transports[TRANSPORT_SCENARIOS.length + 1]),
  );
  table.push(
    fanOutRow(
      `room fan-out, ${ROOM_FAN_OUT.rooms} rooms of ${ROOM_FAN_OUT.members} members, full path, each message to one room`,
      ROOM_FAN_OUT.rooms * ROOM_FAN_OUT.members,
      ROOM_FAN_OUT_GOAL,
      roomFanOut,
      rawRoomFanOut,
    ),
  );
  const blank = (cells: number) => Array<string>(cells).fill('');
  table.push([
    `Table Storage write alone, as a room message makes it (insert into the history table, ${fmt(ROOM_FAN_OUT.postsPerSecond)}/s, ${ROOM_FAN_OUT.seconds} s, same Azurite, just after the room fan-out): the least that storing before sending adds to the raw server's latency (no goal)`,
    '',
    fmt(ROOM_FAN_OUT.postsPerSecond),
    fmt(storageWrites.writes),
    '',
    fmt(storageWrites.p50Ms, 1),
    '',
    fmt(storageWrites.p99Ms, 1),
    ...blank(6),
  ]);
  /** One figure of each round, as the paired rows print them. */
  const byRound = <T>(results: T[], value: (result: T) => number) =>
    results.map((result) => fmt(value(result), 1)).join(', ');
  const p99 = (result: { p99Ms: number }) => result.p99Ms;
  const p50 = (result: { p50Ms: number }) => result.p50Ms;
  const { a: withHistory, b: inMemoryHistory } = historyCost;
  const added = pairedCost(historyCost, p99);
  const historyLost = [...withHistory, ...inMemoryHistory].reduce(
    (sum, result) => sum + result.lost + result.duplicates,
    0,
  );
  table.push([
    `history write: p99 by round with history in Table Storage ${byRound(withHistory, p99)} ms, in memory ${byRound(inMemoryHistory, p99)} ms; median difference (two fresh stacks in turn, ${HISTORY_ROUNDS} rounds; goal: adds <= 10 ms)`,
    fmt(HISTORY_SCENARIO.clients),
    fmt(HISTORY_SCENARIO.postsPerSecond),
    fmt(withHistory.reduce((sum, result) => sum + result.messages, 0)),
    '',
    '',
    '',
    `${added >= 0 ? '+' : ''}${fmt(added, 1)}`,
    fmt(historyLost),
    ...blank(4),
    historyLost === 0 && added <= 10 ? 'yes' : 'NO',
  ]);
  const limitCost = pairedCost(sendLimit, p50);
  const sendsFailed = [...sendLimit.a, ...sendLimit.b].reduce((sum, r) => sum + r.failed, 0);
  table.push([
    `send limit: POST /api/messages p50 by round with the limit ${byRound(sendLimit.a, p50)} ms, without ${byRound(sendLimit.b, p50)} ms; median difference (two fresh stacks in turn, ${SEND_ROUNDS} rounds of ${SEND_SECONDS} s, ${fmt(SEND_RATE)}/s open loop, ${fmt(SEND_SENDERS)} senders; goal: adds <= 2 ms)`,
    '',
    fmt(SEND_RATE),
    fmt(sendLimit.a.reduce((sum, r) => sum + r.sent, 0)),
    `${fmt(sendLimit.a[sendLimit.a.length - 1].answeredPerSecond)} req/s`,
    `${limitCost >= 0 ? '+' : ''}${fmt(limitCost, 1)}`,
    '',
    fmt(median(sendLimit.a.map(p99)), 1),
    fmt(sendsFailed),
    ...blank(4),
    sendsFailed === 0 && limitCost <= 2 ? 'yes' : 'NO',
  ]);
  table.push(
    openLoopRow(
      `GET /api/messages?limit=${HISTORY_PAGE_SIZE} via front door at ${fmt(HISTORY_READ_GOAL)} req/s offered, open loop (${READERS} readers; ${HISTORY_READ_ROUNDS} rounds of 5 s, the round with the median p99; p99s ${historyP99s.map((p) => fmt(p, 1)).join(', ')} ms; failures in all rounds; goal: answers >= ${fmt(HISTORY_READ_GOAL)} req/s, p99 <= 50 ms)`,
      historyAtGoal,
      historyFailed,
      historyFailed === 0 &&
        historyAtGoal.answeredPerSecond >= HISTORY_READ_GOAL &&
        historyAtGoal.p99Ms <= 50,
    ),
  );
  table.push(
    requestsRow(
      `GET /api/messages?limit=${HISTORY_PAGE_SIZE} via front door, flat out (${USERS} readers, 32 conns, 5 s; capacity, no goal)`,
      historyReads,
    ),
  );
  table.push([
    'connect to userOnline at another client (20 users, one at a time; p50, p99)',
    fmt(presence.length),
    '',
    '',
    '',
    fmt(presence[Math.floor(presence.length / 2)], 1),
    '',
    fmt(presence[presence.length - 1], 1),
    ...blank(6),
  ]);
  table.push(
    requestsRow(
      'negotiate via front door (32 conns, 5 s; goal >= 2,000 req/s, p99 <= 50 ms)',
      negotiate,
      negotiate.requests.average >= 2000 && negotiate.latency.p99 <= 50,
    ),
  );
  table.push([
    `emulator memory per idle connection (goal <= 15 KB; heap+external ${fmt(memory.heapPerConnectionBytes / 1024, 1)} KB)`,
    fmt(memory.connections),
    '',
    '',
    `${fmt(memory.perConnectionBytes / 1024, 1)} KB RSS`,
    ...blank(8),
    memory.perConnectionBytes <= 15 * 1024 ? 'yes' : 'NO',
  ]);
  /** A row of latencies: count, p50, p95, p99, and whether the goal holds. */
  const latencyRow = (scenario: string, sorted: number[], goalMet: boolean): string[] => [
    scenario,
    fmt(sorted.length),
    '',
    '',
    '',
    fmt(percentile(sorted, 50), 1),
    fmt(percentile(sorted, 95), 1),
    fmt(percentile(sorted, 99), 1),
    ...blank(5),
    goalMet ? 'yes' : 'NO',
  ];
  table.push(
    latencyRow(
      `first message on the page, cold load (Chromium, new context each time, ${PAGE_LOADS} loads; goal p50 <= 500 ms)`,
      cold,
      percentile(cold, 50) <= 500,
    ),
    latencyRow(
      `first message on the page, warm load (Chromium, reload, ${PAGE_LOADS} loads; goal p50 <= 150 ms)`,
      warm,
      percentile(warm, 50) <= 150,
    ),
    latencyRow(
      `typing(room) to userTyping at another member, through the upstream (${TYPISTS} typists; goal p99 <= 100 ms)`,
      typing,
      percentile(typing, 99) <= 100,
    ),
  );
  const roomRatio = largeRoom.p99Ms / smallRoom.p99Ms;
  const roomReadsFailed = largeRoom.failed + smallRoom.failed;
  table.push(
    openLoopRow(
      `room's latest ${HISTORY_PAGE_SIZE}: p99 with 100,000 stored ${fmt(largeRoom.p99Ms, 1)} ms, with 1,000 ${fmt(smallRoom.p99Ms, 1)} ms, ratio ${fmt(roomRatio, 2)} (both rooms in one table, ${ROOM_READ_RATE}/s open loop, ${READERS} readers, 5 s; goal: within 1.2 x)`,
      largeRoom,
      roomReadsFailed,
      roomReadsFailed === 0 && roomRatio <= 1.2,
    ),
  );
  const took = fmt((Date.now() - started) / 1000, 0);
  const report = [
    '# Benchmark',
    '',
    `The latest \`npm run bench\` (bench/run.ts writes this file): node ${process.version}, ${cpus().length} cores, ${new Date().toISOString()}, ${took} s. What each row measures, and why: README, "Performance".`,
    '',
    formatTable(table),
    '',
    `Official @microsoft/signalr client: received ${officialReceived} of 20 messages through the full path.`,
    "'lost' counts missing plus duplicate deliveries; latency is POST sent to delivered at every client.",
    '',
  ].join('\n');
  writeFileSync(REPORT, report);
  console.log(`\n${report}`);
  progress(`written to ${relative(process.cwd(), REPORT)}`);
  closeAgent();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
