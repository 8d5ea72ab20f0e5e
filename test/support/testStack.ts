import { startStack, type Stack, type StackOptions } from '../../local/stack';
import { Setting } from '../../lib/settings';
import { takeSharedStorageAccount } from './sharedStorage';

/** Every StackOptions, and whether the stack needs an Azurite of its own. */
export interface TestStackOptions extends Omit<StackOptions, 'logLevel'> {
  /**
   * Start an Azurite for this stack alone: for tests that stop, pause or restart storage. By
   * default a stack gets an account of its own on the run's shared Azurite
   * (test/support/sharedStorage.ts), unless it keeps its data on disk (`storageLocation`) or
   * its settings name a storage account.
   */
  readonly ownStorage?: boolean;
}

/** The whole offline stack on free ports, quiet: what every integration test runs against. */
export function startTestStack({ ownStorage, ...options }: TestStackOptions = {}): Promise<Stack> {
  const shared =
    ownStorage === true ||
    options.storageLocation !== undefined ||
    options.settings?.[Setting.Storage] !== undefined
      ? undefined
      : takeSharedStorageAccount();
  return startStack({
    logLevel: 'silent',
    storageLocation: null,
    ...options,
    settings:
      shared === undefined ? options.settings : { ...options.settings, [Setting.Storage]: shared },
    ports: { signalr: 0, frontDoor: 0, content: 0, storage: 0, ...options.ports },
  });
}

/** The ports a stack listens on, to start another in its place (a restart). */
export function portsOf(stack: Stack): StackOptions['ports'] {
  const port = (url: string) => Number(new URL(url).port);
  return {
    signalr: port(stack.urls.signalr),
    frontDoor: port(stack.urls.api),
    content: port(stack.urls.page),
  };
}
