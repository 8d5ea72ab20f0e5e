import type { Context } from '@azure/functions';
import { RequestError } from './RequestError';
import { StorageUnavailableError } from './StorageUnavailableError';

/** Every JSON answer of the functions: never cached, since each is for one signed-in user. */
export const JSON_HEADERS = { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' };

/**
 * Sets the HTTP answer to `{"error": ...}` for the caller's fault (4xx) or a storage outage
 * (503, nothing sent); anything else is rethrown, and the host answers 500.
 */
export function answerRequestError(context: Context, error: unknown): void {
  if (error instanceof StorageUnavailableError) {
    context.log.error(error.message);
    context.res = {
      status: 503,
      headers: { ...JSON_HEADERS, 'Retry-After': '5' },
      body: {
        error: 'Message history is unavailable right now; nothing was sent. Try again shortly.',
      },
    };
    return;
  }
  if (!(error instanceof RequestError)) throw error;
  context.res = { status: error.status, headers: JSON_HEADERS, body: { error: error.message } };
}
