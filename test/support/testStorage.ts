import { AzuriteProcess } from '../../local/storage/AzuriteProcess';
import { createLogger } from '../../local/log';

/**
 * Azurite in memory on a free port, set as the functions' AzureWebJobsStorage for tests that
 * call a function directly (the stack does this itself). Call in beforeAll; close in afterAll.
 */
export async function startTestStorage(): Promise<{ close(): Promise<void> }> {
  const azurite = new AzuriteProcess({ port: 0, log: createLogger('azurite', 'silent') });
  await azurite.start();
  const previous = process.env.AzureWebJobsStorage;
  process.env.AzureWebJobsStorage = azurite.connectionString;
  return {
    close: async () => {
      if (previous === undefined) delete process.env.AzureWebJobsStorage;
      else process.env.AzureWebJobsStorage = previous;
      await azurite.close();
    },
  };
}
