import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { HttpError } from '../../../lib/HttpError';
import { readBody } from '../../http/readBody';
import { sendError } from '../../http/respond';
import { buildBindingData } from '../bindingExpressions';
import type { FunctionDefinition } from '../functionJson';
import { readHeaders } from '../http/readHeaders';
import { toRpcHttp } from '../http/toRpcHttp';
import { compileRoute, matchRoute, type Route } from '../routes';
import type { TriggerBinding, TriggerHost } from './Binding';

/**
 * `httpTrigger`: the function's route under the host.json route prefix (`extensions.http.
 * routePrefix`, default `api`; the function's name when it sets no `route`), its `methods` (a
 * method outside them is a 404), the request handed to the worker as RpcHttp, and binding data
 * as Azure builds it (docs/functions-host.md, "Binding data"). Azure Functions' default request
 * body limit is 100 MB (`FUNCTIONS_REQUEST_BODY_SIZE_LIMIT`).
 */
const MAX_REQUEST_BODY_BYTES = 100 * 1024 * 1024;
const TYPE = 'httpTrigger';

interface HttpRoute {
  readonly fn: FunctionDefinition;
  readonly route: Route;
  /** Upper-case methods; undefined means every method. */
  readonly methods?: readonly string[];
}

/** The route prefix from host.json (`extensions.http.routePrefix`, default `api`). */
export function readRoutePrefix(root: string): string {
  const hostJson = JSON.parse(readFileSync(join(root, 'host.json'), 'utf8')) as {
    extensions?: { http?: { routePrefix?: string } };
  };
  return hostJson.extensions?.http?.routePrefix ?? 'api';
}

const routesOf = new WeakMap<TriggerHost, readonly HttpRoute[]>();

function routes(host: TriggerHost): readonly HttpRoute[] {
  let found = routesOf.get(host);
  if (found === undefined) {
    const prefix = readRoutePrefix(host.root);
    found = host.functionsOf(TYPE).map((fn) => ({
      fn,
      route: compileRoute(prefix, String(fn.trigger.route ?? fn.name)),
      methods: Array.isArray(fn.trigger.methods)
        ? (fn.trigger.methods as string[]).map((method) => method.toUpperCase())
        : undefined,
    }));
    routesOf.set(host, found);
  }
  return found;
}

/** UTF-8 text of the body for binding data (a byte-order mark dropped), as the host reads it. */
function bodyText(bytes: Buffer): string | undefined {
  return bytes.length === 0 ? undefined : new TextDecoder('utf-8').decode(bytes);
}

export const httpTrigger: TriggerBinding = {
  type: TYPE,
  serve: async (req: IncomingMessage, res: ServerResponse, url: URL, host: TriggerHost) => {
    const method = (req.method ?? 'GET').toUpperCase();
    const matched = matchRoute(routes(host), url.pathname, method);
    if (matched === undefined) return false;
    const { fn } = matched.fn;
    try {
      const headers = readHeaders(req);
      const body = await readBody(req, { limit: MAX_REQUEST_BODY_BYTES });
      const bindingData = buildBindingData({
        rawBody: bodyText(body),
        hasContentLength: Number(headers['content-length'] ?? 0) > 0,
        query: url.searchParams,
        params: matched.params,
        headers,
      });
      const http = toRpcHttp({ method, url, headers, params: matched.params, body });
      await host.run(fn, { value: { http }, bindingData, response: res });
      // An HTTP function that set no HTTP answer: an empty 200.
      if (!res.headersSent) res.writeHead(200, { 'Content-Length': 0 }).end();
    } catch (error) {
      // A refusal of the request itself (HttpError) is answered as JSON; a failed function is a
      // 500 with an empty body, as the Functions host answers.
      if (error instanceof HttpError) sendError(res, error, () => undefined);
      else if (!res.headersSent) res.writeHead(500, { 'Content-Length': 0 }).end();
    }
    return true;
  },
};
