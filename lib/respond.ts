import type { Context } from '@azure/functions';
import { HttpError } from './HttpError';

/** Every JSON answer of the functions: never cached, since each is for one signed-in user. */
export const JSON_HEADERS = { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' };

/** An HTTP answer a function sets as `context.res`. */
export interface JsonResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  /** JSON text. */
  readonly body: string;
}

/**
 * `body` as compact JSON text, which the host sends as it is. An object body would be converted
 * to JSON by the worker, parsed by the host and written again, indented (docs/functions-host.md):
 * three passes and a larger answer for the same content.
 */
export function json(status: number, body: unknown): JsonResponse {
  return { status, headers: JSON_HEADERS, body: JSON.stringify(body) };
}

/**
 * The one place a function's refusal or fault becomes its answer: an HttpError is answered with
 * its status, headers and `{"error", "code"}`; a 5xx is logged with its cause (never sent).
 * Anything else is a bug and is rethrown: the host answers 500 with an empty body.
 */
export function answerError(context: Context, error: unknown): void {
  if (!(error instanceof HttpError)) throw error;
  if (error.status >= 500) {
    const cause = error.cause instanceof Error ? error.cause.message : String(error.cause ?? '');
    context.log.error(`${error.code}: ${cause}`);
  }
  context.res = {
    status: error.status,
    headers: { ...JSON_HEADERS, ...error.headers },
    body: JSON.stringify(error.toJSON()),
  };
}
