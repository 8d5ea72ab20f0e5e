// One way the page calls the API: every answer that is not a success becomes one of four typed
// errors, so each caller decides what to do by kind, not by status code.

/** Where the API is: the page's config, or anything with its base URL. */
export interface ApiTarget {
  readonly apiBaseUrl: string;
}

/** What went wrong with a call, as the page acts on it. */
export abstract class ApiError extends Error {}

/** The session has ended (the API answered 401): the page asks the user to sign in again. */
export class SignedOutError extends ApiError {
  constructor() {
    super('Your sign-in has ended. Sign in again.');
  }
}

/**
 * A refusal that may pass (429, 503): ask again after `retryAfterSeconds` (Retry-After).
 * `serverSaid`: the message is the server's own sentence, which says what to do.
 */
export class RetryLaterError extends ApiError {
  constructor(
    message: string,
    readonly retryAfterSeconds: number,
    readonly serverSaid = false,
  ) {
    super(message);
  }
}

/** The server refused the request and would refuse it again: its `code` and sentence. */
export class RefusedError extends ApiError {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly serverSaid = false,
  ) {
    super(message);
  }
}

/** No answer: the network is down or the server unreachable. */
export class UnreachableError extends ApiError {}

/** The default wait when a 429 or 503 names none (the server's own Retry-After is 5 s). */
const DEFAULT_RETRY_SECONDS = 5;

/** The `{error, code}` body of a refusal, when it has one (a host's 5xx may have none). */
async function refusalBody(response: Response): Promise<{ error?: string; code?: string }> {
  try {
    const body = (await response.json()) as unknown;
    return typeof body === 'object' && body !== null ? (body as { error?: string }) : {};
  } catch {
    return {};
  }
}

/**
 * Calls `${apiBaseUrl}${path}` with the session cookie; resolves with the JSON answer (undefined
 * when there is none), or rejects with one of the ApiErrors. `what` names the call in sentences
 * ("History could not be loaded").
 */
export async function request<T>(
  config: ApiTarget,
  path: string,
  what: string,
  init: RequestInit = {},
): Promise<T> {
  let response: Response;
  try {
    response = await fetch(`${config.apiBaseUrl}${path}`, { ...init, credentials: 'include' });
  } catch {
    throw new UnreachableError(`${what}: the server could not be reached; try again.`);
  }
  if (response.ok) {
    const text = await response.text();
    return (text.length === 0 ? undefined : JSON.parse(text)) as T;
  }
  if (response.status === 401) throw new SignedOutError();
  const body = await refusalBody(response);
  const serverSaid = typeof body.error === 'string' && body.error.length > 0;
  const sentence = serverSaid ? body.error! : `${what} (the server answered ${response.status}).`;
  if (response.status === 429 || response.status === 503)
    throw new RetryLaterError(
      sentence,
      Number(response.headers.get('Retry-After') ?? DEFAULT_RETRY_SECONDS) || DEFAULT_RETRY_SECONDS,
      serverSaid,
    );
  throw new RefusedError(response.status, body.code ?? '', sentence, serverSaid);
}

/**
 * What the composer says when a send failed: the server's own sentence when it gave one (it says
 * what to do), else that the draft is kept for another try.
 */
export function sendFailure(error: unknown): string {
  if (error instanceof SignedOutError)
    return 'Your sign-in has expired. Sign in again; your message is kept.';
  if ((error instanceof RefusedError || error instanceof RetryLaterError) && error.serverSaid)
    return error.message;
  if (error instanceof ApiError)
    return `${error.message.replace(/[.;]?\s*try again\.?$/, '.')} Your message is kept; try again.`;
  return 'Something went wrong. Your message is kept; try again.';
}
