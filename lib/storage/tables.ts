import { TableClient } from '@azure/data-tables';
import { HttpError, refused, unavailable, type Dependency } from '../HttpError';

/**
 * One storage account's tables (the Function App's `AzureWebJobsStorage`: Azurite offline,
 * docs/storage.md). Every call runs under a deadline and turns every failure it does not handle
 * itself into the app's error: 503 with Retry-After when storage did not answer, 500 when it
 * refused (docs/storage.md, "Deadlines and failures").
 */

/**
 * Every storage call (table creation, the retry after a lost table and the call itself) must
 * finish within this, or it is aborted: a hung storage account must not hold a request, nor let
 * an abandoned one finish later and be sent.
 */
export const STORAGE_DEADLINE_MS = 3_000;

/** What every storage operation is given: the deadline of the call it is part of. */
export interface StorageOptions {
  readonly abortSignal: AbortSignal;
}

/** The status code of a failed storage call, if the service answered. */
export function statusOf(error: unknown): number | undefined {
  const status = (error as { statusCode?: unknown }).statusCode;
  return typeof status === 'number' ? status : undefined;
}

/** Whether a failed call means the table itself is gone (not a missing entity: also 404). */
export function isTableNotFound(error: unknown): boolean {
  // Azurite and the service say TableNotFound in the code or only in the body's odata.error.
  return (
    (error as { code?: unknown }).code === 'TableNotFound' ||
    (statusOf(error) === 404 && /TableNotFound/.test((error as Error).message))
  );
}

/** Whether a failed call is a missing row (404) in a table that exists. */
export function isEntityNotFound(error: unknown): boolean {
  return statusOf(error) === 404 && !isTableNotFound(error);
}

/**
 * One entity, or undefined when the table has no such row; a missing table still throws, for
 * TableAccount.run to create it.
 */
export async function getEntityOrUndefined<T extends object>(
  table: TableClient,
  partitionKey: string,
  rowKey: string,
  options: StorageOptions,
): Promise<(T & { etag: string }) | undefined> {
  try {
    return (await table.getEntity<T>(partitionKey, rowKey, options)) as T & { etag: string };
  } catch (error) {
    if (isEntityNotFound(error)) return undefined;
    throw error;
  }
}

/**
 * A storage failure as the caller answers it. Transient (503): no answer, the deadline passed,
 * 408, 429 or a 5xx. Anything else storage refused and will refuse again (500): it must never
 * read as "try again shortly".
 */
export function storageFailure(error: unknown, dependency: Dependency, table: string): Error {
  const status = statusOf(error);
  const timedOut = (error as Error).name === 'AbortError';
  const detail = timedOut
    ? `Table Storage did not answer within ${STORAGE_DEADLINE_MS} ms (table ${table}).`
    : `Table Storage failed (table ${table}${status === undefined ? '' : `, status ${status}`}): ${(error as Error).message}`;
  const cause = new Error(detail, { cause: error });
  const transient =
    timedOut || status === undefined || status === 408 || status === 429 || status >= 500;
  return transient ? unavailable(dependency, cause) : refused(dependency, cause);
}

/**
 * A short random wait before trying an optimistic transaction again (attempt 0, 1, ...), so
 * concurrent writers (two tabs, two joins) do not collide in lockstep.
 */
export function backOff(attempt: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.random() * 10 * (attempt + 1)));
}

export class TableAccount {
  private readonly clients = new Map<string, Promise<TableClient>>();
  private readonly insecure: boolean;

  constructor(
    private readonly connectionString: string,
    private readonly dependency: Dependency,
  ) {
    this.insecure = /UseDevelopmentStorage=true|=http:/i.test(connectionString);
  }

  /** The client for one table, created on first use; a failure is not cached. */
  private table(name: string, options: StorageOptions): Promise<TableClient> {
    let client = this.clients.get(name);
    if (client === undefined) {
      const created = TableClient.fromConnectionString(this.connectionString, name, {
        allowInsecureConnection: this.insecure,
        retryOptions: { maxRetries: 1, retryDelayInMs: 100, maxRetryDelayInMs: 500 },
      });
      client = created.createTable(options).then(() => created);
      this.clients.set(name, client);
      client.catch(() => this.clients.delete(name));
    }
    return client;
  }

  /**
   * Runs a call on one table under one deadline that the call passes on (`options`) to every
   * storage operation it makes. A table that has gone (a storage account reset) is created again
   * and the call retried once. Failures the call does not handle become 503 or 500.
   */
  async run<T>(
    name: string,
    call: (client: TableClient, options: StorageOptions) => Promise<T>,
  ): Promise<T> {
    const options: StorageOptions = { abortSignal: AbortSignal.timeout(STORAGE_DEADLINE_MS) };
    if (this.connectionString.length === 0)
      throw refused(this.dependency, new Error('The app setting AzureWebJobsStorage is not set.'));
    try {
      const client = await this.table(name, options);
      try {
        return await call(client, options);
      } catch (error) {
        if (!isTableNotFound(error)) throw error;
        await client.createTable(options);
        return await call(client, options);
      }
    } catch (error) {
      // A refusal the call decided on itself (a send limit) goes out as it is.
      if (error instanceof HttpError) throw error;
      throw storageFailure(error, this.dependency, name);
    }
  }

  /** One entity with its etag, or undefined when the table has no such row. */
  find<T extends object>(
    name: string,
    partitionKey: string,
    rowKey: string,
  ): Promise<(T & { etag: string }) | undefined> {
    return this.run(name, (table, options) =>
      getEntityOrUndefined<T>(table, partitionKey, rowKey, options),
    );
  }

  /** Runs a transaction; false on a conflict (someone changed the rows meanwhile). */
  commit(name: string, actions: Parameters<TableClient['submitTransaction']>[0]): Promise<boolean> {
    return this.run(name, async (table, options) => {
      try {
        await table.submitTransaction(actions, options);
        return true;
      } catch (error) {
        const status = statusOf(error);
        // 409/412: someone changed the rows; 404: a row was deleted meanwhile. Read and try again.
        if (status === 409 || status === 412 || isEntityNotFound(error)) return false;
        throw error;
      }
    });
  }
}
