/** The caller's fault: answered with `status` and `{"error": message}`, and nothing is sent. */
export class RequestError extends Error {
  constructor(
    readonly status: 400 | 401 | 403 | 413 | 415,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'RequestError';
  }
}
