import { describeShared } from './sharedStack';
import { startTestStack } from './testStack';

/**
 * The shared stack's own process (test/support/globalSetup.ts forks it): its app settings stay
 * in its environment, as a deployed app's do, instead of leaking into the test processes.
 * Says `{ready: <SharedStack JSON>}` once up; stops when told to, or when its parent goes.
 */
async function main(): Promise<void> {
  const stack = await startTestStack();
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    await stack.close();
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop());
  process.on('disconnect', () => void stop());
  process.send!({ ready: describeShared(stack) });
}

main().catch((error: unknown) => {
  process.stderr.write(`The shared test stack could not start: ${String(error)}\n`);
  process.exit(1);
});
