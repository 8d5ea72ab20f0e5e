import type { Stack } from '../../local/stack';

/**
 * One stack for the integration suites that only talk to it (sign in, send, read, connect) and
 * change nothing about it: started once before them, in a process of its own
 * (test/support/globalSetup.ts, stackProcess.ts), stopped after. A suite that stops, pauses, restarts or reconfigures a part starts its own
 * (test/support/testStack.ts). Users are per suite, so suites do not see each other's state.
 */
export type SharedStack = Pick<
  Stack,
  'urls' | 'signalRConnectionString' | 'storageConnectionString' | 'signalRExtensionKey'
>;

export const SHARED_STACK_VARIABLE = 'CHAT_TEST_SHARED_STACK';

export function sharedStack(): SharedStack {
  const value = process.env[SHARED_STACK_VARIABLE];
  if (value === undefined)
    throw new Error(
      'No shared stack: run integration suites through jest (its globalSetup starts one).',
    );
  return JSON.parse(value) as SharedStack;
}

export function describeShared(stack: Stack): string {
  const shared: SharedStack = {
    urls: stack.urls,
    signalRConnectionString: stack.signalRConnectionString,
    storageConnectionString: stack.storageConnectionString,
    signalRExtensionKey: stack.signalRExtensionKey,
  };
  return JSON.stringify(shared);
}
