import type { IncomingMessage, ServerResponse } from 'node:http';
import { HttpError } from '../../lib/HttpError';
import { readBody } from '../http/readBody';
import { rawPathSegments } from '../http/requestTarget';
import { audienceBase, type SignalRConnectionString } from '../../lib/signalr/ConnectionString';
import { authenticate, bearerToken } from './authenticate';
import { API_VERSIONS, HUB_NAME_PATTERN, MAX_REST_BODY_BYTES } from './constants';
import type { HubRegistry } from './HubRegistry';
import { MessageType, formatRecord } from '../signalr/hubProtocol';
import {
  REST_OPERATIONS,
  checkGroupName,
  matchRoute,
  type RestOperation,
  type RestVersion,
} from './restOperations';

/** The data-plane REST API (docs/signalr-service.md, "REST API"): routing, auth, bodies. */
export interface RestContext {
  readonly cs: SignalRConnectionString;
  readonly registry: HubRegistry;
}

/** Reads `{target, arguments}` (names matched case-insensitively) and serialises the frame once. */
async function readInvocationFrame(req: IncomingMessage): Promise<Buffer> {
  let body: unknown;
  try {
    body = JSON.parse((await readBody(req, { limit: MAX_REST_BODY_BYTES })).toString('utf8'));
  } catch (error) {
    if (error instanceof HttpError) throw error;
    throw new HttpError(
      400,
      'InvalidJson',
      'The request body is not valid JSON; send {"target": "...", "arguments": [...]}.',
    );
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw new HttpError(
      400,
      'NotAnObject',
      'The request body must be a JSON object {"target": "...", "arguments": [...]}.',
    );
  let target: unknown;
  let args: unknown = [];
  for (const [name, value] of Object.entries(body)) {
    if (name.toLowerCase() === 'target') target = value;
    else if (name.toLowerCase() === 'arguments') args = value;
  }
  if (typeof target !== 'string' || target.length === 0)
    throw new HttpError(
      400,
      'InvalidTarget',
      'The request body needs a non-empty string "target".',
    );
  if (!Array.isArray(args))
    throw new HttpError(400, 'InvalidArguments', '"arguments" must be an array.');
  return Buffer.from(formatRecord({ type: MessageType.Invocation, target, arguments: args }));
}

function findOperation(
  version: RestVersion,
  method: string,
  segments: readonly string[],
): { operation: RestOperation; params: Record<string, string>; status: number } | undefined {
  for (const operation of REST_OPERATIONS) {
    const route = operation[version];
    if (route === undefined || !route.methods.includes(method)) continue;
    const params = matchRoute(route, segments);
    if (params !== undefined) return { operation, params, status: route.status };
  }
  return undefined;
}

/**
 * The hub a REST call reaches: with `?application=app`, `app_<hub>`, both lower-cased, so one
 * service can serve several apps' hubs of the same name (Azure/azure-signalr, the emulator's
 * Controllers/SignalRServiceEmulatorWebApi.cs, `GetInternalHubName`; an application name must
 * look like a hub name, or 400). Clients of such an app connect to `hub=app_<hub>`.
 */
export function internalHubName(hub: string, application: string | null): string {
  if (application === null || application === '') return hub.toLowerCase();
  if (!HUB_NAME_PATTERN.test(application))
    throw new HttpError(
      400,
      'InvalidApplicationName',
      `Invalid application name '${application.slice(0, 140)}': it must start with a letter and use up to 128 letters, digits and _\`,.[].`,
    );
  return `${application.toLowerCase()}_${hub.toLowerCase()}`;
}

/** Handles `/api/...`; returns false when the path is not the REST API's. */
export async function handleRest(
  ctx: RestContext,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
): Promise<boolean> {
  if (url.pathname === '/api/v1/health' || url.pathname === '/api/health') {
    res.writeHead(200).end();
    return true;
  }
  // Segments are taken from the raw target, each decoded once: `..` or `%2E%2E` is a name here,
  // never a step up to another route (docs/security.md, "Names").
  const raw = rawPathSegments(req.url ?? '/');
  const v1 = raw[1] === 'v1';
  const [api, hubs, hub, ...rest] = v1 ? [raw[0], ...raw.slice(2)] : raw;
  if (api !== 'api' || hubs !== 'hubs' || hub === undefined) return false;
  const version: RestVersion = v1 ? 'v1' : 'dated';
  const apiVersion = url.searchParams.get('api-version');
  if (!v1 && (apiVersion === null || !API_VERSIONS.includes(apiVersion)))
    throw new HttpError(
      400,
      'UnsupportedApiVersion',
      `api-version ${JSON.stringify(apiVersion)} is not served; use one of ${API_VERSIONS.join(', ')} for /api/hubs paths, or /api/v1/hubs without it.`,
    );
  await authenticate(bearerToken(req), ctx.cs.accessKey, [
    `${audienceBase(ctx.cs)}${url.pathname}`,
  ]);
  if (!HUB_NAME_PATTERN.test(hub))
    throw new HttpError(
      400,
      'InvalidHubName',
      `Invalid hub name '${hub}': it must start with a letter and use up to 128 letters, digits and _\`,.[].`,
    );
  const internalHub = internalHubName(hub, url.searchParams.get('application'));
  const segments = rest.length > 0 && rest[rest.length - 1] === '' ? rest.slice(0, -1) : rest;
  const method = req.method ?? 'GET';
  const found = findOperation(version, method, segments);
  if (found === undefined)
    throw new HttpError(404, 'NotFound', `No REST operation ${method} ${url.pathname}.`);
  const { user = '', group = '', connection = '' } = found.params;
  if ('group' in found.params) checkGroupName(group);
  await found.operation.handle({
    registry: ctx.registry.of(internalHub),
    params: { user, group, connection },
    url,
    req,
    frame: () => readInvocationFrame(req),
  });
  res.writeHead(found.status).end();
  return true;
}
