import { HUB_NAME, HubMethod } from '../lib/hub';
/**
 * `npm run bench`: measures the offline stack on this machine and prints one table.
 * Servers run in child processes (bench/serverProcess.ts); this process holds the clients.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { Agent, request } from 'node:http';
import { cpus } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { HubConnectionBuilder, LogLevel } from '@microsoft/signalr';
import { parseConnectionString } from '../local/signalr/ConnectionString';
import { createConnectionInfo } from '../local/signalr/accessTokens';
import {
  closeClients,
  hubTarget,
  openClients,
  sequenceReader,
  type ClientTarget,
} from './loadClients';
import { FanOutTracker, measureFanOut, type FanOutResult } from './measureFanOut';
import type { MemoryMessage, ReadyMessage, ServerRole } from './serverProcess';
import { signIn } from './signIn';

interface ServerProcess {
  readonly ready: ReadyMessage;
  memory(): Promise<MemoryMessage>;
  close(): Promise<void>;
}

function startServer(role: ServerRole): Promise<ServerProcess> {
  const child: ChildProcess = fork(join(__dirname, 'serverProcess.js'), [role], {
    execArgv: ['--expose-gc'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  return new Promise((resolve, reject) => {
    child.once('exit', (code) =>
      reject(new Error(`The ${role} server exited with code ${code} before it was ready.`)),
    );
    child.once('message', (ready: ReadyMessage) => {
      child.removeAllListeners('exit');
      resolve({
        ready,
        memory: () =>
          new Promise((resolveMemory) => {
            child.once('message', (message: MemoryMessage) => resolveMemory(message));
            child.send({ type: 'memory' });
          }),
        close: () =>
          new Promise((resolveClose) => {
            child.once('exit', () => resolveClose());
            child.send({ type: 'close' });
          }),
      });
    });
  });
}

const agent = new Agent({ keepAlive: true, maxSockets: 32 });

function postJson(
  url: string,
  body: string,
  headers: Record<string, string>,
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: 'POST',
        agent,
        headers: {
          'Content-Type': 'application/json',
          'Content-Length': Buffer.byteLength(body),
          ...headers,
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }),
        );
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

const USERS = 100;
const SENDERS = 4;

interface Row {
  readonly scenario: string;
  readonly result: FanOutResult;
  readonly baseline?: FanOutResult;
}

async function measureStackFanOut(
  stack: ServerProcess,
  cookies: readonly string[],
  clients: number,
  postsPerSecond: number,
  seconds: number,
): Promise<FanOutResult> {
  const api = stack.ready.api!;
  const infos = await Promise.all(
    cookies.map(
      async (cookie) =>
        JSON.parse((await postJson(`${api}/api/negotiate`, '', { Cookie: cookie })).body) as {
          url: string;
          accessToken: string;
        },
    ),
  );
  const messages = postsPerSecond * seconds;
  const tracker = new FanOutTracker(messages, clients);
  const sockets = await openClients(
    clients,
    50,
    (index) => hubTarget(infos[index % infos.length]),
    () => sequenceReader(tracker),
  );
  let sender = 0;
  const result = await measureFanOut(tracker, {
    clients,
    postsPerSecond,
    durationMs: seconds * 1000,
    drainMs: 10_000,
    post: async (text) =>
      (
        await postJson(`${api}/api/messages`, JSON.stringify({ text }), {
          Cookie: cookies[sender++ % SENDERS],
        })
      ).status,
  });
  await closeClients(sockets);
  return result;
}

async function measureRawFanOut(
  raw: ServerProcess,
  clients: number,
  postsPerSecond: number,
  seconds: number,
): Promise<FanOutResult> {
  const messages = postsPerSecond * seconds;
  const tracker = new FanOutTracker(messages, clients);
  const target: ClientTarget = { url: `ws://127.0.0.1:${raw.ready.port}/`, hubProtocol: false };
  const sockets = await openClients(
    clients,
    50,
    async () => target,
    () => sequenceReader(tracker),
  );
  const result = await measureFanOut(tracker, {
    clients,
    postsPerSecond,
    durationMs: seconds * 1000,
    drainMs: 10_000,
    post: async (text) =>
      (await postJson(`http://127.0.0.1:${raw.ready.port}/send`, JSON.stringify({ text }), {}))
        .status,
  });
  await closeClients(sockets);
  return result;
}

/** Checks once that the official client sees what the load clients see. */
async function checkOfficialClient(api: string, cookie: string, messages: number): Promise<number> {
  const connection = new HubConnectionBuilder()
    .withUrl(`${api}/api`, { headers: { Cookie: cookie } })
    .configureLogging(LogLevel.None)
    .build();
  let received = 0;
  connection.on(HubMethod.NewMessage, (message: { text: string }) => {
    if (message.text.startsWith('official ')) received++;
  });
  await connection.start();
  for (let i = 0; i < messages; i++)
    await postJson(`${api}/api/messages`, JSON.stringify({ text: `official ${i}` }), {
      Cookie: cookie,
    });
  const deadline = Date.now() + 5000;
  while (received < messages && Date.now() < deadline)
    await new Promise((resolve) => setTimeout(resolve, 20));
  await connection.stop();
  return received;
}

async function measureNegotiate(api: string, cookie: string): Promise<autocannon.Result> {
  return autocannon({
    url: `${api}/api/negotiate`,
    method: 'POST',
    headers: { Cookie: cookie },
    connections: 32,
    duration: 5,
  });
}

async function measureMemory(
  clients: number,
): Promise<{ perConnectionBytes: number; heapPerConnectionBytes: number; connections: number }> {
  const emulator = await startServer('emulator');
  const cs = parseConnectionString(emulator.ready.connectionString!);
  const before = await emulator.memory();
  const infos = await Promise.all(
    Array.from({ length: USERS }, (_, i) =>
      createConnectionInfo(cs, { hub: HUB_NAME, userId: `idle${i}` }),
    ),
  );
  const tracker = new FanOutTracker(0, clients);
  const sockets = await openClients(
    clients,
    100,
    (index) => hubTarget(infos[index % USERS]),
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

const fmt = (value: number, digits = 0): string =>
  Number.isFinite(value)
    ? value.toLocaleString('en-US', {
        maximumFractionDigits: digits,
        minimumFractionDigits: digits,
      })
    : 'n/a';

function printTable(rows: readonly string[][]): void {
  const widths = rows[0].map((_, column) => Math.max(...rows.map((row) => row[column].length)));
  const line = (row: readonly string[]) =>
    `| ${row.map((cell, column) => cell.padEnd(widths[column])).join(' | ')} |`;
  console.log(line(rows[0]));
  console.log(`|${widths.map((width) => '-'.repeat(width + 2)).join('|')}|`);
  for (const row of rows.slice(1)) console.log(line(row));
}

async function main(): Promise<void> {
  const started = Date.now();
  const fanOutPlan: readonly (readonly [number, number, number, string])[] = [
    [100, 100, 5, ''],
    [1_000, 10, 10, 'p99 <= 100 ms'],
    [1_000, 50, 6, '>= 40,000/s, p99 <= 250 ms'],
    [10_000, 5, 6, '>= 40,000/s, p99 <= 250 ms'],
    [1_000, 200, 4, 'capacity: >= 0.5 x raw ws'],
  ];
  const rows: Row[] = [];
  const stack = await startServer('stack');
  const api = stack.ready.api!;
  const cookies = await Promise.all(
    Array.from({ length: USERS }, (_, i) => signIn(api, `user${i}`)),
  );
  const officialReceived = await checkOfficialClient(api, cookies[0], 20);
  for (const [clients, rate, seconds, goal] of fanOutPlan) {
    rows.push({
      scenario: `fan-out, full path${goal ? ` (${goal})` : ''}`,
      result: await measureStackFanOut(stack, cookies, clients, rate, seconds),
    });
  }
  const negotiate = await measureNegotiate(api, cookies[0]);
  await stack.close();
  const raw = await startServer('raw');
  for (const [index, [clients, rate, seconds]] of fanOutPlan.entries()) {
    rows[index] = { ...rows[index], baseline: await measureRawFanOut(raw, clients, rate, seconds) };
  }
  await raw.close();
  const memory = await measureMemory(10_000);

  const header = [
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
    'ours / raw',
    'goal met',
  ];
  const table: string[][] = [header];
  for (const { scenario, result, baseline } of rows) {
    const ratio = baseline ? result.deliveriesPerSecond / baseline.deliveriesPerSecond : Number.NaN;
    let met = '';
    if (scenario.includes('p99 <= 100 ms'))
      met = result.p99Ms <= 100 && result.lost === 0 ? 'yes' : 'NO';
    else if (scenario.includes('40,000'))
      met =
        result.deliveriesPerSecond >= 40_000 && result.p99Ms <= 250 && result.lost === 0
          ? 'yes'
          : 'NO';
    else if (scenario.includes('capacity')) met = ratio >= 0.5 ? 'yes' : 'NO';
    table.push([
      scenario,
      fmt(result.clients),
      fmt(result.postsPerSecond),
      fmt(result.messages),
      fmt(result.deliveriesPerSecond),
      fmt(result.p50Ms, 1),
      fmt(result.p95Ms, 1),
      fmt(result.p99Ms, 1),
      fmt(result.lost + result.duplicates),
      baseline ? fmt(baseline.deliveriesPerSecond) : '',
      baseline ? fmt(baseline.p99Ms, 1) : '',
      fmt(ratio, 2),
      met,
    ]);
  }
  const negotiateMet =
    negotiate.requests.average >= 2000 && negotiate.latency.p99 <= 50 ? 'yes' : 'NO';
  table.push([
    `negotiate via front door (32 conns, 5 s; goal >= 2,000 req/s, p99 <= 50 ms)`,
    '',
    '',
    fmt(negotiate.requests.total),
    `${fmt(negotiate.requests.average)} req/s`,
    fmt(negotiate.latency.p50, 1),
    '',
    fmt(negotiate.latency.p99, 1),
    fmt(negotiate.non2xx + negotiate.errors),
    '',
    '',
    '',
    negotiateMet,
  ]);
  const memoryMet = memory.perConnectionBytes <= 15 * 1024 ? 'yes' : 'NO';
  table.push([
    `emulator memory per idle connection (goal <= 15 KB; heap+external ${fmt(memory.heapPerConnectionBytes / 1024, 1)} KB)`,
    fmt(memory.connections),
    '',
    '',
    `${fmt(memory.perConnectionBytes / 1024, 1)} KB RSS`,
    '',
    '',
    '',
    '',
    '',
    '',
    '',
    memoryMet,
  ]);
  console.log(
    `\nServerless Chat benchmark: node ${process.version}, ${cpus().length} cores, ${new Date().toISOString()}\n`,
  );
  printTable(table);
  console.log(
    `\nofficial @microsoft/signalr client: received ${officialReceived} of 20 messages through the full path`,
  );
  console.log(
    `'lost' counts missing plus duplicate deliveries; latency is POST sent to delivered at every client. Took ${fmt((Date.now() - started) / 1000, 0)} s.`,
  );
  agent.destroy();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
