import { fork, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { SHARED_STACK_VARIABLE } from './sharedStack';

/** How long the shared stack may take to start. */
const START_DEADLINE_MS = 30_000;

/** Starts the shared stack (test/support/sharedStack.ts) in a process of its own. */
export default async function globalSetup(): Promise<void> {
  const child = fork(join(__dirname, 'stackProcess.ts'), [], {
    execArgv: ['--require', join(__dirname, 'registerTs.js')],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  (globalThis as { sharedStackProcess?: ChildProcess }).sharedStackProcess = child;
  const shared = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`The shared test stack did not start within ${START_DEADLINE_MS} ms.`));
    }, START_DEADLINE_MS);
    child.once('message', (message: { ready: string }) => {
      clearTimeout(timer);
      resolve(message.ready);
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`The shared test stack exited (${code}) before it was ready.`));
    });
  });
  process.env[SHARED_STACK_VARIABLE] = shared;
}
