import { TableClient } from '@azure/data-tables';
import { StorageUnavailableError } from './StorageUnavailableError';

/**
 * Table Storage clients on the Function App's own storage account (the `AzureWebJobsStorage`
 * setting): `UseDevelopmentStorage=true` is Azurite on this machine (docs/storage.md).
 */
export const STORAGE_SETTING = 'AzureWebJobsStorage';

const clients = new Map<string, Promise<TableClient>>();

/**
 * The client for one table, the table created on first use. A failure is not cached, so the
 * next call tries again once storage is back.
 */
export function table(name: string): Promise<TableClient> {
  const connectionString = process.env[STORAGE_SETTING];
  if (connectionString === undefined || connectionString.length === 0)
    return Promise.reject(new StorageUnavailableError(`the setting ${STORAGE_SETTING} is not set`));
  const key = `${connectionString}|${name}`;
  let client = clients.get(key);
  if (client === undefined) {
    const created = TableClient.fromConnectionString(connectionString, name, {
      allowInsecureConnection: /UseDevelopmentStorage=true|=http:/i.test(connectionString),
      retryOptions: { maxRetries: 1, retryDelayInMs: 100, maxRetryDelayInMs: 500 },
    });
    client = created.createTable().then(() => created);
    clients.set(key, client);
    client.catch(() => clients.delete(key));
  }
  return client.catch((error: unknown) => {
    throw new StorageUnavailableError(error);
  });
}

/**
 * Runs a call on one table. A table that has gone (a storage account reset) is created again
 * and the call retried once; any other failure becomes StorageUnavailableError (503).
 */
export async function withTable<T>(
  name: string,
  call: (client: TableClient) => Promise<T>,
): Promise<T> {
  const client = await table(name);
  try {
    return await call(client);
  } catch (error) {
    if (error instanceof StorageUnavailableError) throw error;
    if (isTableNotFound(error)) {
      try {
        await client.createTable();
        return await call(client);
      } catch (retryError) {
        throw new StorageUnavailableError(retryError);
      }
    }
    throw new StorageUnavailableError(error);
  }
}

/** Whether a failed call means the table itself is gone (not a missing entity: also 404). */
export function isTableNotFound(error: unknown): boolean {
  // Azurite and the service say TableNotFound in the code or only in the body's odata.error.
  return (
    (error as { code?: unknown }).code === 'TableNotFound' ||
    (statusOf(error) === 404 && /TableNotFound/.test((error as Error).message))
  );
}

/** The status code of a failed storage call, if the service answered. */
export function statusOf(error: unknown): number | undefined {
  const status = (error as { statusCode?: unknown }).statusCode;
  return typeof status === 'number' ? status : undefined;
}
