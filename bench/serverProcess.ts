import { DEVELOPMENT_CONNECTION_STRING } from '../local/signalr/constants';
/**
 * A child process that runs one server under test, so the benchmark's 10,000 client sockets and
 * the server's 10,000 live in different processes (each under the open-file limit), and so the
 * server's memory can be read on its own. Speaks to the parent over IPC:
 * parent → {type: 'memory'} | {type: 'close'}; child → {type: 'ready', ...} | {type: 'memory', ...}.
 */
import { startEmulator } from '../local/emulator';
import { join } from 'node:path';
import { startStack } from '../local/stack';
import { baselineApp } from './baselineApp';
import { startRawBroadcastServer } from './rawBroadcastServer';

export type ServerRole =
  'stack' | 'stack-memory-history' | 'stack-no-send-limit' | 'stack-presence' | 'emulator' | 'raw';

/** The repository (this file runs from dist/bench/). */
const ROOT = join(__dirname, '..', '..');

export interface ReadyMessage {
  readonly type: 'ready';
  readonly api?: string;
  /** The page server's URL (stacks only). */
  readonly page?: string;
  /** Azurite's connection string (stacks only), for seeding history. */
  readonly storage?: string;
  readonly connectionString?: string;
  readonly port?: number;
}

export interface MemoryMessage {
  readonly type: 'memory';
  readonly rss: number;
  readonly heapUsed: number;
  readonly external: number;
  readonly arrayBuffers: number;
  readonly connections?: number;
}

async function start(
  role: ServerRole,
): Promise<{ ready: ReadyMessage; close: () => Promise<void>; connections?: () => number }> {
  switch (role) {
    case 'stack-memory-history':
    case 'stack-no-send-limit':
    case 'stack-presence':
    case 'stack': {
      // The same stack; for the history write's cost, SendMessage keeps history in memory.
      const app =
        role === 'stack-memory-history'
          ? baselineApp(ROOT, {
              SendMessage: join(ROOT, 'dist', 'bench', 'memoryHistorySendMessage.js'),
            })
          : undefined;
      const stack = await startStack({
        ...(app !== undefined && { projectRoot: app.dir }),
        ports: { signalr: 0, frontDoor: 0, content: 0, storage: 0 },
        storageLocation: null,
        logLevel: 'warn',
        // Fan-out measures the message path; presence (upstream) is measured on its own stack.
        upstream: role === 'stack-presence',
        // The send limit's cost is measured against the same stack with the limit off.
        ...(role === 'stack-no-send-limit' && { settings: { ChatSendsPerMinute: '0' } }),
      });
      return {
        ready: {
          type: 'ready',
          api: stack.urls.api,
          page: stack.urls.page,
          storage: stack.storageConnectionString,
          connectionString: stack.signalRConnectionString,
        },
        close: async () => {
          await stack.close();
          app?.remove();
        },
      };
    }
    case 'emulator': {
      const emulator = await startEmulator({
        // The well-known development string; the port is replaced by a free one.
        connectionString: DEVELOPMENT_CONNECTION_STRING,
        port: 0,
        logLevel: 'warn',
      });
      return {
        ready: { type: 'ready', port: emulator.port, connectionString: emulator.connectionString },
        close: () => emulator.close(),
        connections: () => emulator.stats().connections,
      };
    }
    case 'raw': {
      const raw = await startRawBroadcastServer();
      return { ready: { type: 'ready', port: raw.port }, close: () => raw.close() };
    }
  }
}

async function main(): Promise<void> {
  const role = process.argv[2] as ServerRole;
  const server = await start(role);
  process.on('message', (message: { type: string }) => {
    if (message.type === 'memory') {
      // Collect twice so what is measured is what is live, not garbage awaiting collection.
      global.gc?.();
      global.gc?.();
      const usage = process.memoryUsage();
      const reply: MemoryMessage = {
        type: 'memory',
        rss: usage.rss,
        heapUsed: usage.heapUsed,
        external: usage.external,
        arrayBuffers: usage.arrayBuffers,
        connections: server.connections?.(),
      };
      process.send?.(reply);
    } else if (message.type === 'close') {
      void server.close().then(() => process.exit(0));
    }
  });
  // The benchmark ended without asking (it failed, or was stopped): close too, so no server,
  // nor the Azurite it started, is left running.
  process.once('disconnect', () => void server.close().then(() => process.exit(0)));
  process.send?.(server.ready);
}

main().catch((error: unknown) => {
  process.stderr.write(
    `bench server failed: ${error instanceof Error ? error.stack : String(error)}\n`,
  );
  process.exit(1);
});
