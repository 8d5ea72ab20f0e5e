import { fork, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { launchBrowserServer, SHARED_BROWSER_VARIABLE } from './browser';
import { SHARED_STACK_VARIABLE } from './sharedStack';
import { SHARED_STORAGE_VARIABLE, startSharedStorage } from './sharedStorage';

/** How long the shared stack may take to start. */
const START_DEADLINE_MS = 30_000;

/**
 * Starts the shared Chromium (test/support/browser.ts) and Azurite (test/support/sharedStorage.ts),
 * then the shared stack (test/support/sharedStack.ts) in a process of its own, on an account of
 * that Azurite. test/support/globalTeardown.ts stops them.
 */
export default async function globalSetup(): Promise<void> {
  const [browser, storage] = await Promise.all([launchBrowserServer(), startSharedStorage()]);
  Object.assign(globalThis, { sharedBrowser: browser, sharedStorage: storage });
  process.env[SHARED_BROWSER_VARIABLE] = browser.wsEndpoint();
  process.env[SHARED_STORAGE_VARIABLE] = storage.value;
  const child = fork(join(__dirname, 'stackProcess.ts'), [], {
    execArgv: ['--require', join(__dirname, 'registerTs.js')],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  (globalThis as { sharedStackProcess?: ChildProcess }).sharedStackProcess = child;
  const ready = new Promise<string>((resolve, reject) => {
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
  let shared: string;
  try {
    shared = await ready;
  } catch (error) {
    // Jest runs no teardown after a failed setup: what was started stops here, or Azurite and
    // Chromium would outlive the run.
    await Promise.allSettled([storage.close(), browser.close()]);
    throw error;
  }
  process.env[SHARED_STACK_VARIABLE] = shared;
}
