/**
 * `npm start`: the whole app offline on the default ports (README). Ctrl-C stops it all.
 * `npm run start:func` (`--func`): the same, with real Core Tools as the functions host.
 * `--verbose`: every invocation logged (`Executing` / `Executed`), as Core Tools logs them.
 * `--any-ports`: every stand-in on a free port (printed), for a machine where 5500, 7071, 8888
 * or 10002 is taken. `--in-memory`: storage kept in memory, nothing written to `.azurite/`.
 * infra/start.js builds first and passes when the command began, so the ready time is honest.
 *
 * It stops, stand-ins and Azurite with it, on SIGINT, SIGTERM or SIGHUP, and when the process
 * that started it goes (npm killed by an editor's stop button or a process manager, whatever
 * the signal): a process whose parent dies is given to another, so its parent id changes.
 */
import { startStack } from './stack';

/** A `--name=<ms>` time from the launcher, if it gave one. */
function timeArgument(name: string): number | undefined {
  const value = process.argv.find((arg) => arg.startsWith(`--${name}=`))?.split('=')[1];
  return value === undefined || !/^\d+$/.test(value) ? undefined : Number(value);
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

/** Stopping never takes longer than this, whatever a stand-in does. */
const EXIT_DEADLINE_MS = 30_000;
/** How often it looks whether the process that started it is still there. */
const PARENT_CHECK_MS = 250;

async function main(): Promise<void> {
  const startedAt = timeArgument('started-at') ?? Date.now() - process.uptime() * 1000;
  const builtAt = timeArgument('built-at');
  const stackFrom = Date.now();
  const parent = process.ppid;
  const anyPorts = process.argv.includes('--any-ports');
  const stack = await startStack({
    functionsHost: process.argv.includes('--func') ? 'func' : 'builtin',
    verbose: process.argv.includes('--verbose'),
    ...(anyPorts && { ports: { signalr: 0, frontDoor: 0, content: 0, storage: 0 } }),
    ...(process.argv.includes('--in-memory') && { storageLocation: null }),
  });
  const now = Date.now();
  const took =
    builtAt === undefined
      ? `ready in ${seconds(now - startedAt)}`
      : `ready in ${seconds(now - startedAt)}: build ${seconds(builtAt - startedAt)}, start ${seconds(now - stackFrom)}`;
  process.stdout.write(
    [
      '',
      `Serverless Chat is running offline (${took}):`,
      `  page         ${stack.urls.page}  (also ${stack.urls.page.replace('127.0.0.1', 'localhost')})`,
      `  API          ${stack.urls.api}/api  (front door: local App Service Authentication + CORS)`,
      `  SignalR      ${stack.urls.signalr}  (local Azure SignalR Service emulator)`,
      `  storage      Azurite Table service, history kept ${process.argv.includes('--in-memory') ? 'in memory' : 'in .azurite/'} (AzureWebJobsStorage)`,
      '',
      'Open the page in two browser windows (or one private window), press "Sign in" and type any',
      'name in each: sign-in is local and needs no account. Press Ctrl-C to stop.',
      'Every function call is logged with `npm start -- --verbose`.',
      '',
    ].join('\n'),
  );
  let stopping = false;
  const stop = (): void => {
    // A second Ctrl-C (or SIGTERM) does not wait any longer.
    if (stopping) process.exit(1);
    stopping = true;
    setTimeout(() => {
      process.stderr.write('Some stand-ins did not stop in time; exiting anyway.\n');
      process.exit(1);
    }, EXIT_DEADLINE_MS).unref();
    void stack.close().then(() => process.exit(0));
  };
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, stop);
  setInterval(() => {
    if (process.ppid === parent || stopping) return;
    process.stderr.write('The process that started this one has gone; stopping.\n');
    stop();
  }, PARENT_CHECK_MS).unref();
}

main().catch((error: unknown) => {
  process.stderr.write(
    `Could not start: ${error instanceof Error ? error.message : String(error)}\n`,
  );
  process.exit(1);
});
