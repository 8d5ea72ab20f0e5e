import type { AzureFunction, Context, HttpRequest } from '@azure/functions';

/** The parts of a v3 invocation a unit test looks at. */
export interface Invocation {
  readonly context: Context;
  readonly returned: unknown;
  /** `context.res` as the caller reads it: a JSON answer's body (a string) parsed. */
  readonly response: Response;
}

/** An HTTP answer as a client sees it; `body` is `any` so tests read fields without casts. */
export interface Response {
  readonly status: number;
  readonly headers: Record<string, string>;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  readonly body: any;
}

/**
 * The answer a function set, as it reaches the caller: the functions write JSON as a string
 * (lib/respond.ts), which the host sends as it is; a body that is not valid JSON under a JSON
 * content type fails the test here.
 */
function responseOf(context: Context): Response {
  const res = (context.res ?? {}) as {
    status?: number;
    headers?: Record<string, string>;
    body?: unknown;
  };
  const headers = res.headers ?? {};
  const json = /^application\/json/.test(headers['Content-Type'] ?? '');
  return {
    status: res.status ?? 200,
    headers,
    body: json && typeof res.body === 'string' ? JSON.parse(res.body) : res.body,
  };
}

/** Builds the request the classic-model host would pass: lowercase headers, raw body string. */
export function makeRequest(init: {
  method?: string;
  headers?: Record<string, string>;
  rawBody?: string;
}): HttpRequest {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(init.headers ?? {}))
    headers[name.toLowerCase()] = value;
  let body: unknown = init.rawBody;
  try {
    if (init.rawBody !== undefined) body = JSON.parse(init.rawBody);
  } catch {
    // The host leaves a body that is not JSON as a string.
  }
  return {
    method: init.method ?? 'POST',
    url: 'http://localhost/api/messages',
    headers,
    query: {},
    params: {},
    body,
    rawBody: init.rawBody,
  } as unknown as HttpRequest;
}

export async function invokeFunction(
  fn: AzureFunction,
  req: HttpRequest,
  bindings: Record<string, unknown> = {},
): Promise<Invocation> {
  const log = Object.assign(() => undefined, {
    error: () => undefined,
    warn: () => undefined,
    info: () => undefined,
    verbose: () => undefined,
  });
  const context = {
    invocationId: 'test',
    bindings: { req, ...bindings },
    bindingData: {},
    log,
    req,
    res: {},
  } as unknown as Context;
  const returned = await fn(context, req);
  return { context, returned, response: responseOf(context) };
}
