/**
 * A storage fault: the request is answered 503 and nothing is sent. In a module of its own so
 * that functions which never touch storage do not bundle the storage client.
 */
export class StorageUnavailableError extends Error {
  constructor(cause: unknown) {
    super(
      `Table Storage is unavailable: ${cause instanceof Error ? cause.message : String(cause)}`,
    );
    this.name = 'StorageUnavailableError';
  }
}
