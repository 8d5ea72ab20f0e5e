import { HubConnectionBuilder, LogLevel, type HubConnection } from '@microsoft/signalr';
import type { TableTransaction } from '@azure/data-tables';
import { TableClient } from '@azure/data-tables';
import { chromium, type Browser } from 'playwright-core';
import { HISTORY_PAGE_SIZE } from '../lib/ChatMessage';
import { HubMethod, ServerMethod } from '../lib/hub';
import { firstIdAt, invertId } from '../lib/messageIds';
import { roomPartition } from '../lib/storage/partitionKey';
import { Agent } from 'node:http';
import { percentile } from '../local/clients/measureFanOut';
import { measureOpenLoop, type OpenLoopResult } from './openLoop';

/**
 * The measurements of rooms, typing and the page (README, "Performance"): the first message
 * visible in Chromium after a cold and a warm load, typing seen by another member, and a room's
 * latest-page read with 1,000 and 100,000 messages stored.
 */

const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
];

export interface FirstMessage {
  readonly coldMs: number[];
  readonly warmMs: number[];
}

/**
 * The page signed in (its session cookie set), loaded `runs` times in a new browser context
 * (cold: nothing cached) and `runs` times reloaded in one (warm); each time, the page's own
 * clock from navigation start to the first message on screen (a MutationObserver the test adds
 * before the page's scripts run).
 */
export async function measureFirstMessage(
  page: string,
  api: string,
  cookie: string,
  runs: number,
): Promise<FirstMessage> {
  const browser: Browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: CHROMIUM_ARGS,
  });
  const observe = `new MutationObserver((_, observer) => {
      if (document.querySelector('.message')) { window.__firstMessageAt = performance.now(); observer.disconnect(); }
    }).observe(document, { childList: true, subtree: true });`;
  const pair = cookie.split(';')[0];
  const name = pair.slice(0, pair.indexOf('='));
  const cookies = [{ name, value: pair.slice(name.length + 1), url: api }];
  const load = async (tab: import('playwright-core').Page, reload: boolean) => {
    if (reload) await tab.reload();
    else await tab.goto(`${page}/`);
    await tab.waitForFunction(
      () => (globalThis as { __firstMessageAt?: number }).__firstMessageAt !== undefined,
      null,
      { timeout: 15_000 },
    );
    return (await tab.evaluate('window.__firstMessageAt')) as number;
  };
  try {
    const coldMs: number[] = [];
    for (let i = 0; i < runs; i++) {
      const context = await browser.newContext();
      await context.addCookies(cookies);
      await context.addInitScript(observe);
      const tab = await context.newPage();
      coldMs.push(await load(tab, false));
      await context.close();
    }
    const context = await browser.newContext();
    await context.addCookies(cookies);
    await context.addInitScript(observe);
    const tab = await context.newPage();
    await load(tab, false);
    const warmMs: number[] = [];
    for (let i = 0; i < runs; i++) warmMs.push(await load(tab, true));
    await context.close();
    return { coldMs, warmMs };
  } finally {
    await browser.close();
  }
}

function official(api: string, cookie: string): HubConnection {
  return new HubConnectionBuilder()
    .withUrl(`${api}/api`, { headers: { Cookie: cookie } })
    .configureLogging(LogLevel.None)
    .build();
}

/**
 * `typers` members of one room each call typing(room) once (the official client's send), one
 * after another; a watcher in the room times each until its userTyping arrives. The first is a
 * warm-up and not counted.
 */
export async function measureTyping(
  api: string,
  watcherCookie: string,
  typerCookies: readonly string[],
  typerNames: readonly string[],
  room: string,
): Promise<number[]> {
  const join = (cookie: string) =>
    fetch(`${api}/api/rooms/${encodeURIComponent(room)}/join`, {
      method: 'POST',
      headers: { Cookie: cookie },
    });
  await Promise.all([watcherCookie, ...typerCookies].map(join));
  const watcher = official(api, watcherCookie);
  const typers = typerCookies.map((cookie) => official(api, cookie));
  await Promise.all([watcher, ...typers].map((connection) => connection.start()));
  const waiting = new Map<string, () => void>();
  watcher.on(HubMethod.UserTyping, ({ name }: { name: string }) => waiting.get(name)?.());
  const latencies: number[] = [];
  try {
    for (const [i, typer] of typers.entries()) {
      const seen = new Promise<void>((resolve, reject) => {
        waiting.set(typerNames[i], resolve);
        setTimeout(() => reject(new Error(`userTyping of ${typerNames[i]} never came`)), 5_000);
      });
      const started = performance.now();
      await typer.send(ServerMethod.Typing, room);
      await seen;
      // The first is a warm-up (the upstream's first call opens its connections): not counted.
      if (i > 0) latencies.push(performance.now() - started);
    }
  } finally {
    await Promise.all([watcher, ...typers].map((connection) => connection.stop()));
  }
  return latencies;
}

/**
 * Writes `count` messages into a room's partition of the history table directly (as many
 * instances' sends over time would have), in transactions of 100.
 */
export async function seedRoom(storage: string, room: string, count: number): Promise<void> {
  const table = TableClient.fromConnectionString(storage, 'messages', {
    allowInsecureConnection: true,
  });
  await table.createTable();
  const partitionKey = roomPartition(room);
  const start = Date.now() - count;
  for (let from = 0; from < count; from += 100) {
    const actions: TableTransaction['actions'] = [];
    for (let i = from; i < Math.min(count, from + 100); i++) {
      const id = `${firstIdAt(start + i).slice(0, 13)}${String(i % 1_000_000).padStart(6, '0')}000000`;
      actions.push([
        'create',
        {
          partitionKey,
          rowKey: invertId(id),
          id,
          sender: 'seed',
          text: `seeded ${i}`,
          sentAt: new Date(start + i).toISOString(),
          isPrivate: false,
          room,
        },
      ]);
    }
    await table.submitTransaction(actions);
  }
}

/** The room's latest page (GET /api/messages?room=) at `rate` a second for `seconds`, open loop. */
export async function measureRoomReads(
  api: string,
  cookies: readonly string[],
  room: string,
  rate: number,
  seconds: number,
): Promise<OpenLoopResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: 64 });
  const options = {
    url: `${api}/api/messages?limit=${HISTORY_PAGE_SIZE}&room=${encodeURIComponent(room)}`,
    headers: (n: number) => ({ Cookie: cookies[n % cookies.length] }),
    rate,
    agent,
  };
  try {
    await measureOpenLoop({ ...options, seconds: 2 });
    return await measureOpenLoop({ ...options, seconds });
  } finally {
    agent.destroy();
  }
}

export interface StorageWrites {
  readonly writes: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
}

/**
 * The storage write a room message makes, alone: one insert of a message-sized row into the
 * history table (its own partition, so no room's reads see it) at `rate` a second for
 * `seconds`, each sent when due; latency from when it was due to its answer. What any path that
 * stores a message before sending it adds to the raw server's.
 */
export async function measureStorageWrites(
  storage: string,
  rate: number,
  seconds: number,
): Promise<StorageWrites> {
  const table = TableClient.fromConnectionString(storage, 'messages', {
    allowInsecureConnection: true,
  });
  await table.createTable();
  const partitionKey = roomPartition('bench-storage-floor');
  const latencies: number[] = [];
  const write = async (i: number, due: number) => {
    const id = `${firstIdAt(Date.now()).slice(0, 13)}${String(i).padStart(12, '0')}`;
    await table.createEntity({
      partitionKey,
      rowKey: invertId(id),
      id,
      sender: 'member1',
      text: `timed ${i}`,
      sentAt: new Date().toISOString(),
      isPrivate: false,
      room: 'bench-storage-floor',
    });
    latencies.push(performance.now() - due);
  };
  for (let i = 0; i < rate; i++) await write(i, performance.now()); // warm-up
  latencies.length = 0;
  const pending: Promise<void>[] = [];
  const start = performance.now();
  const count = rate * seconds;
  for (let i = 0; i < count; i++) {
    const due = start + (i * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    pending.push(write(rate + i, due));
  }
  await Promise.all(pending);
  latencies.sort((x, y) => x - y);
  return {
    writes: latencies.length,
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
  };
}
