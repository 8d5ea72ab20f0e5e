/** What an HttpError carries besides its status, code and message. */
export interface HttpErrorOptions {
  readonly headers?: Readonly<Record<string, string>>;
  readonly cause?: unknown;
}

/**
 * The one error type of the app and of the local stand-ins: an HTTP status, a stable `code` and
 * a sentence naming what was wrong and what is allowed. It becomes `{"error": message, "code":
 * code}` in one place per server (lib/respond.ts for the functions, local/http/serve.ts for the
 * stand-ins). `cause` keeps what went wrong downstream, for the log; it is never sent.
 */
export class HttpError extends Error {
  readonly headers: Readonly<Record<string, string>>;

  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    options: HttpErrorOptions = {},
  ) {
    super(message, { cause: options.cause });
    this.name = 'HttpError';
    this.headers = options.headers ?? {};
  }

  /** The JSON body every refusal answers with. */
  toJSON(): { error: string; code: string } {
    return { error: this.message, code: this.code };
  }
}

/** How long a client should wait before trying again after a 503, in seconds. */
export const RETRY_AFTER_SECONDS = 5;

/** What is down, for a 503's code and message. */
export type Dependency = 'history' | 'presence' | 'rooms' | 'names' | 'signalr';

const DEPENDENCY = {
  history: { code: 'HistoryUnavailable', what: 'Message history (Table Storage)' },
  presence: { code: 'PresenceUnavailable', what: 'Who is online (Table Storage)' },
  rooms: { code: 'RoomsUnavailable', what: 'Rooms (Table Storage)' },
  names: { code: 'NamesUnavailable', what: 'The names in use (Table Storage)' },
  signalr: { code: 'SignalRUnavailable', what: 'The SignalR Service' },
} as const;

/**
 * A dependency did not answer in time or at all: 503 with Retry-After, naming what is down and
 * that nothing was done. `cause` is logged, never sent.
 */
export function unavailable(dependency: Dependency, cause: unknown): HttpError {
  const { code, what } = DEPENDENCY[dependency];
  return new HttpError(
    503,
    code,
    `${what} is unavailable right now; nothing was done. Try again in ${RETRY_AFTER_SECONDS} seconds.`,
    { headers: { 'Retry-After': String(RETRY_AFTER_SECONDS) }, cause },
  );
}

/** Whether `error` is the 503 `unavailable(dependency, ...)` answers with. */
export function isUnavailable(error: unknown, dependency: Dependency): boolean {
  return error instanceof HttpError && error.code === DEPENDENCY[dependency].code;
}

/** A dependency refused a request it will refuse again (our fault): 500, never "try again". */
export function refused(dependency: Dependency, cause: unknown): HttpError {
  const { code, what } = DEPENDENCY[dependency];
  return new HttpError(
    500,
    code.replace('Unavailable', 'Refused'),
    `${what} refused the request; nothing was done. This is a fault of the app, not of your request.`,
    { cause },
  );
}
