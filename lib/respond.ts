import type { Context } from '@azure/functions';
import { RequestError } from './RequestError';

/** Every JSON answer of the functions: never cached, since each is for one signed-in user. */
export const JSON_HEADERS = { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' };

/** Sets the HTTP answer to `{"error": ...}` for the caller's fault; anything else is rethrown (500). */
export function answerRequestError(context: Context, error: unknown): void {
  if (!(error instanceof RequestError)) throw error;
  context.res = { status: error.status, headers: JSON_HEADERS, body: { error: error.message } };
}
