import { closeSync, mkdtempSync, openSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  AzuriteProcess,
  developmentStorageConnectionString,
} from '../../local/storage/AzuriteProcess';
import { createLogger } from '../../local/log';

/**
 * One Azurite for the integration suites' stacks (started by test/support/globalSetup.ts), each
 * stack with a storage account of its own, so no stack sees another's tables: starting Azurite
 * is most of a stack's start (about 0.6 s of CPU), and twenty-odd stacks started one each. A
 * stack that stops, pauses or restarts its storage, or keeps it on disk, starts its own
 * (startTestStack's `ownStorage`).
 */
export const SHARED_STORAGE_VARIABLE = 'CHAT_TEST_SHARED_STORAGE';

/** Accounts made at start; a run that takes more fails with a message saying to raise it. */
const ACCOUNTS = 100;

interface SharedStorage {
  readonly port: number;
  /** Where taken accounts are marked: one file per account, made with O_EXCL. */
  readonly claims: string;
}

const accountName = (index: number) => `chattest${index}`;

/** Starts the shared Azurite; the value for SHARED_STORAGE_VARIABLE, and how to stop it. */
export async function startSharedStorage(): Promise<{
  value: string;
  close: () => Promise<void>;
}> {
  const azurite = new AzuriteProcess({
    port: 0,
    log: createLogger('storage', 'silent'),
    accounts: Array.from({ length: ACCOUNTS }, (_, index) => accountName(index)),
  });
  await azurite.start();
  const claims = mkdtempSync(join(tmpdir(), 'chat-test-accounts-'));
  const shared: SharedStorage = { port: azurite.port, claims };
  return {
    value: JSON.stringify(shared),
    close: async () => {
      await azurite.close();
      rmSync(claims, { recursive: true, force: true });
    },
  };
}

/**
 * The connection string of an account of the shared Azurite no other stack has had (this run,
 * any worker), or undefined outside jest's integration run (no shared Azurite).
 */
export function takeSharedStorageAccount(): string | undefined {
  const value = process.env[SHARED_STORAGE_VARIABLE];
  if (value === undefined) return undefined;
  const { port, claims } = JSON.parse(value) as SharedStorage;
  for (let index = 0; index < ACCOUNTS; index++) {
    try {
      closeSync(openSync(join(claims, String(index)), 'wx'));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST') continue;
      throw error;
    }
    return developmentStorageConnectionString(port, accountName(index));
  }
  throw new Error(
    `All ${ACCOUNTS} shared storage accounts are taken: raise ACCOUNTS in test/support/sharedStorage.ts.`,
  );
}
