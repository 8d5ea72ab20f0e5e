import type { AzureFunction, Context, HttpRequest } from '@azure/functions';

/** The parts of a v3 invocation a unit test looks at. */
export interface Invocation {
  readonly context: Context;
  readonly returned: unknown;
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
  return { context, returned };
}
