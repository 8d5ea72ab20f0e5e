import type { ChildProcess } from 'node:child_process';

/** How long the shared stack may take to stop before it is killed. */
const STOP_DEADLINE_MS = 20_000;

/** Stops the shared stack's process, then the shared Azurite and Chromium (globalSetup.ts). */
export default async function globalTeardown(): Promise<void> {
  await stopSharedStack();
  const shared = globalThis as {
    sharedStorage?: { close(): Promise<void> };
    sharedBrowser?: { close(): Promise<void> };
  };
  await shared.sharedStorage?.close();
  await shared.sharedBrowser?.close();
}

async function stopSharedStack(): Promise<void> {
  const child = (globalThis as { sharedStackProcess?: ChildProcess }).sharedStackProcess;
  if (child === undefined || child.exitCode !== null) return;
  await new Promise<void>((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), STOP_DEADLINE_MS);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}
