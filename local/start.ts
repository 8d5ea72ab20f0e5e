/**
 * `npm start`: the whole app offline on the default ports (README). Ctrl-C stops it all.
 * `npm run start:func` (`--func`): the same, with real Core Tools as the functions host.
 * `--verbose`: every invocation logged (`Executing` / `Executed`), as Core Tools logs them.
 * infra/start.js builds first and passes when the command began, so the ready time is honest.
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

async function main(): Promise<void> {
  const startedAt = timeArgument('started-at') ?? Date.now() - process.uptime() * 1000;
  const builtAt = timeArgument('built-at');
  const stackFrom = Date.now();
  const stack = await startStack({
    functionsHost: process.argv.includes('--func') ? 'func' : 'builtin',
    verbose: process.argv.includes('--verbose'),
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
      `  page         ${stack.urls.page}  (also http://localhost:5500)`,
      `  API          ${stack.urls.api}/api  (front door: local App Service Authentication + CORS)`,
      `  SignalR      ${stack.urls.signalr}  (local Azure SignalR Service emulator)`,
      `  storage      Azurite Table service, history kept in .azurite/ (AzureWebJobsStorage)`,
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
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((error: unknown) => {
  process.stderr.write(
    `Could not start: ${error instanceof Error ? error.message : String(error)}\n`,
  );
  process.exit(1);
});
