import type { IncomingMessage, ServerResponse } from 'node:http';
import { TokenError, verifyToken } from '../signalr/accessTokens';
import { audienceBase, type SignalRConnectionString } from '../signalr/ConnectionString';
import type { ClientConnection } from './ClientConnection';
import {
  API_VERSION_2022,
  ErrorCode,
  HUB_NAME_PATTERN,
  MAX_GROUP_NAME_CHARS,
  MAX_REST_BODY_BYTES,
} from './constants';
import type { ConnectionRegistry } from './ConnectionRegistry';
import { HttpError } from '../http/HttpError';
import { readBody } from '../http/readBody';
import { rawPathSegments } from '../http/requestTarget';
import { MessageType, formatRecord } from './HubProtocol';

/** The data-plane REST API (docs/signalr-service.md, "REST API"), v1 (`/api/v1/hubs/...`) and 2022-06-01 (`/api/hubs/...`). */
export interface RestContext {
  readonly cs: SignalRConnectionString;
  readonly registry: ConnectionRegistry;
}

type Version = 'v1' | '2022';

interface RestRequest {
  readonly version: Version;
  readonly hub: string;
  readonly segments: readonly string[];
  readonly method: string;
  readonly url: URL;
  readonly req: IncomingMessage;
}

function notFound(code: string, what: string): HttpError {
  return new HttpError(404, `${what} does not exist.`, { 'x-ms-error-code': code });
}

function checkGroup(group: string): string {
  if (group.length < 1 || group.length > MAX_GROUP_NAME_CHARS || group.trim().length === 0) {
    throw new HttpError(
      400,
      `Invalid group name: it must be 1 to ${MAX_GROUP_NAME_CHARS} characters and not all white space.`,
    );
  }
  return group;
}

/** Reads `{target, arguments}` (names matched case-insensitively) and serialises the frame once. */
async function readInvocationFrame(req: IncomingMessage): Promise<string> {
  let body: unknown;
  try {
    body = JSON.parse((await readBody(req, { limit: MAX_REST_BODY_BYTES })).toString('utf8'));
  } catch (error) {
    if (error instanceof HttpError) throw error;
    throw new HttpError(
      400,
      'The request body is not valid JSON; send {"target": "...", "arguments": [...]}.',
    );
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw new HttpError(
      400,
      'The request body must be a JSON object {"target": "...", "arguments": [...]}.',
    );
  let target: unknown;
  let args: unknown = [];
  for (const [name, value] of Object.entries(body)) {
    if (name.toLowerCase() === 'target') target = value;
    else if (name.toLowerCase() === 'arguments') args = value;
  }
  if (typeof target !== 'string' || target.length === 0)
    throw new HttpError(400, 'The request body needs a non-empty string "target".');
  if (!Array.isArray(args)) throw new HttpError(400, '"arguments" must be an array.');
  return formatRecord({ type: MessageType.Invocation, target, arguments: args });
}

async function authenticate(ctx: RestContext, req: IncomingMessage, url: URL): Promise<void> {
  const header = req.headers.authorization;
  const token =
    header !== undefined && /^Bearer /i.test(header) ? header.slice(7).trim() : undefined;
  try {
    await verifyToken(token, ctx.cs.accessKey, [`${audienceBase(ctx.cs)}${url.pathname}`]);
  } catch (error) {
    if (error instanceof TokenError) {
      throw new HttpError(401, error.message, {
        'WWW-Authenticate': `Bearer error="invalid_token", error_description="${error.message.replace(/"/g, "'")}"`,
      });
    }
    throw error;
  }
}

function excludedOf(url: URL): ReadonlySet<string> {
  return new Set(url.searchParams.getAll('excluded'));
}

function sendTo(
  connections: Iterable<ClientConnection>,
  frame: string,
  excluded: ReadonlySet<string>,
): void {
  // One frame for every target: serialised once by readInvocationFrame (docs/signalr-service.md, "Hub protocol").
  const bytes = Buffer.from(frame);
  if (excluded.size === 0) for (const connection of connections) connection.send(bytes);
  else
    for (const connection of connections) if (!excluded.has(connection.id)) connection.send(bytes);
}

function closeAll(connections: Iterable<ClientConnection>, url: URL): void {
  const excluded = excludedOf(url);
  const reason = url.searchParams.get('reason') ?? undefined;
  for (const connection of [...connections])
    if (!excluded.has(connection.id)) connection.close(reason);
}

function ttlOf(url: URL): number | undefined {
  const ttl = url.searchParams.get('ttl');
  if (ttl === null) return undefined;
  if (!/^\d+$/.test(ttl))
    throw new HttpError(400, `ttl "${ttl}" must be a whole number of seconds.`);
  return Number(ttl);
}

/** Routes one REST request; answers with its status, or throws an HttpError. */
async function route(ctx: RestContext, r: RestRequest): Promise<number> {
  const { registry } = ctx;
  const v1 = r.version === 'v1';
  const [kind, name, sub, subName, extra] = r.segments;
  const m = r.method;
  const hub = r.hub.toLowerCase();
  const ofHub = (connections: Iterable<ClientConnection>) =>
    [...connections].filter((c) => c.hub === hub);
  /** v1 sends are a bare POST on the resource; 2022-06-01 sends end in `/:send`. */
  const send = v1 ? undefined : ':send';
  const isRead = m === 'HEAD' || (v1 && m === 'GET');

  if (kind === undefined || kind === ':send' || kind === ':closeConnections') {
    if (m === 'POST' && kind === send) {
      sendTo(
        ofHub(registry.connections.values()),
        await readInvocationFrame(r.req),
        excludedOf(r.url),
      );
      return 202;
    }
    if (m === 'POST' && !v1 && kind === ':closeConnections')
      return (closeAll(ofHub(registry.connections.values()), r.url), 204);
  } else if (kind === 'users' && name !== undefined) {
    const connections = ofHub(registry.connectionsOfUser(name));
    if (m === 'POST' && sub === send && subName === undefined) {
      sendTo(connections, await readInvocationFrame(r.req), new Set());
      return 202;
    }
    if (m === 'POST' && !v1 && sub === ':closeConnections')
      return (closeAll(connections, r.url), 204);
    if (isRead && sub === undefined) {
      if (connections.length === 0) throw notFound(ErrorCode.UserNotExisted, `User '${name}'`);
      return 200;
    }
    if (m === 'DELETE' && sub === 'groups' && subName === undefined)
      return (registry.removeUserFromAllGroups(name), v1 ? 200 : 204);
    if (!v1 && sub === 'groups' && subName !== undefined && extra === undefined) {
      checkGroup(subName);
      if (m === 'PUT') return (registry.addUserToGroup(name, subName, ttlOf(r.url)), 200);
      if (m === 'DELETE') return (registry.removeUserFromGroup(name, subName), 204);
      if (m === 'HEAD') {
        if (!registry.isUserInGroup(name, subName))
          throw notFound(ErrorCode.UserNotInGroup, `User '${name}' in group '${subName}'`);
        return 200;
      }
    }
  } else if (kind === 'groups' && name !== undefined) {
    checkGroup(name);
    const connections = ofHub(registry.connectionsInGroup(name));
    if (m === 'POST' && sub === send && subName === undefined) {
      sendTo(connections, await readInvocationFrame(r.req), excludedOf(r.url));
      return 202;
    }
    if (m === 'POST' && !v1 && sub === ':closeConnections')
      return (closeAll(connections, r.url), 204);
    if (isRead && sub === undefined) {
      if (connections.length === 0) throw notFound(ErrorCode.GroupNotExisted, `Group '${name}'`);
      return 200;
    }
    if (sub === 'connections' && subName !== undefined && extra === undefined) {
      const target = connectionOfHub(registry, subName, hub);
      if (m === 'PUT') {
        if (target === undefined)
          throw notFound(ErrorCode.ConnectionNotExistedError, `Connection '${subName}'`);
        return (registry.addConnectionToGroup(target, name), 200);
      }
      if (m === 'DELETE') {
        if (target === undefined || !registry.removeConnectionFromGroup(target, name))
          throw notFound(
            ErrorCode.ConnectionNotExisted,
            `Connection '${subName}' in group '${name}'`,
          );
        return 200;
      }
    }
    if (v1 && sub === 'users' && subName !== undefined && extra === undefined) {
      if (m === 'PUT') return (registry.addUserToGroup(subName, name, ttlOf(r.url)), 202);
      if (m === 'DELETE') return (registry.removeUserFromGroup(subName, name), 202);
      if (isRead) {
        if (!registry.isUserInGroup(subName, name))
          throw notFound(ErrorCode.UserNotInGroup, `User '${subName}' in group '${name}'`);
        return 200;
      }
    }
  } else if (kind === 'connections' && name !== undefined) {
    const target = connectionOfHub(registry, name, hub);
    if (m === 'POST' && sub === send && subName === undefined) {
      sendTo(target === undefined ? [] : [target], await readInvocationFrame(r.req), new Set());
      return 202;
    }
    if (isRead && sub === undefined) {
      if (target === undefined)
        throw notFound(ErrorCode.ConnectionNotExisted, `Connection '${name}'`);
      return 200;
    }
    if (m === 'DELETE' && sub === undefined) {
      target?.close(r.url.searchParams.get('reason') ?? undefined);
      return v1 ? 202 : 200;
    }
    if (!v1 && m === 'DELETE' && sub === 'groups' && subName === undefined) {
      if (target !== undefined) registry.removeConnectionFromAllGroups(target);
      return 200;
    }
  }
  throw new HttpError(404, `No REST operation ${m} ${r.url.pathname}.`);
}

function connectionOfHub(
  registry: ConnectionRegistry,
  id: string,
  hub: string,
): ClientConnection | undefined {
  const connection = registry.connections.get(id);
  return connection?.hub === hub ? connection : undefined;
}

/** Handles `/api/...`; returns false when the path is not the REST API's. */
export async function handleRest(
  ctx: RestContext,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
): Promise<boolean> {
  const path = url.pathname;
  if (path === '/api/v1/health' || path === '/api/health') {
    res.writeHead(200).end();
    return true;
  }
  // Segments are taken from the raw target, each decoded once: `..` or `%2E%2E` is a name here,
  // never a step up to another route (docs/security.md, "Names").
  const raw = rawPathSegments(req.url ?? '/');
  const v1 = raw[1] === 'v1';
  const [api, hubs, hubSegment, ...rest] = v1 ? [raw[0], ...raw.slice(2)] : raw;
  if (api !== 'api' || hubs !== 'hubs' || hubSegment === undefined) return false;
  const version: Version = v1 ? 'v1' : '2022';
  if (version === '2022' && url.searchParams.get('api-version') !== API_VERSION_2022) {
    throw new HttpError(
      400,
      `api-version must be ${API_VERSION_2022} for /api/hubs paths; use /api/v1/hubs without it.`,
    );
  }
  await authenticate(ctx, req, url);
  const hub = hubSegment;
  if (!HUB_NAME_PATTERN.test(hub))
    throw new HttpError(
      400,
      `Invalid hub name '${hub}': it must start with a letter and use up to 128 letters, digits and _\`,.[].`,
    );
  const segments = rest.length > 0 && rest[rest.length - 1] === '' ? rest.slice(0, -1) : rest;
  // 2022-06-01 puts actions after the resource as `/:send`; keep them as their own segment.
  const status = await route(ctx, {
    version,
    hub,
    segments,
    method: req.method ?? 'GET',
    url,
    req,
  });
  res.writeHead(status).end();
  return true;
}
