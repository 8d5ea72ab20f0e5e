import type { IncomingMessage } from 'node:http';
import { HttpError } from '../../lib/HttpError';
import type { ClientConnection } from './ClientConnection';
import type { ConnectionRegistry } from './ConnectionRegistry';
import { ErrorCode, MAX_GROUP_NAME_CHARS } from './constants';

/**
 * The data-plane REST API as a table: each operation with its method, its path after
 * `/api/v1/hubs/{hub}` (v1) and after `/api/hubs/{hub}` (dated api-versions), the status each
 * answers, and its handler. Paths and statuses from Azure/azure-signalr `docs/swagger/v1.json`
 * and `docs/swagger/V20220601.json`; routes from the official emulator's
 * `Common/SignalRServiceWebApiDefinition.cs`. The test walks this same table
 * (test/local/emulator/restOperations.test.ts).
 */
export type RestVersion = 'v1' | 'dated';

export interface RestRoute {
  /** v1 answers GET and HEAD alike for existence checks; dated versions only HEAD. */
  readonly methods: readonly string[];
  /** Segments after the hub: literals, or `{user}`, `{group}`, `{connection}`. */
  readonly path: string;
  readonly status: number;
}

export interface RestCall {
  readonly registry: ConnectionRegistry;
  readonly params: Readonly<Record<'user' | 'group' | 'connection', string>>;
  readonly url: URL;
  readonly req: IncomingMessage;
  /** The invocation frame from the body, serialised once (sends only). */
  readonly frame: () => Promise<Buffer>;
}

export interface RestOperation {
  readonly name: string;
  readonly v1?: RestRoute;
  readonly dated?: RestRoute;
  /** Does the work; a refusal throws an HttpError (404 with its x-ms-error-code). */
  readonly handle: (call: RestCall) => Promise<void> | void;
}

function notFound(code: string, what: string): HttpError {
  return new HttpError(404, 'NotFound', `${what} does not exist.`, {
    headers: { 'x-ms-error-code': code },
  });
}

/** Group names: 1 to 1,024 characters, not all white space (ParameterValidator.cs). */
export function checkGroupName(group: string): void {
  if (group.length < 1 || group.length > MAX_GROUP_NAME_CHARS || group.trim().length === 0)
    throw new HttpError(
      400,
      'InvalidGroupName',
      `Invalid group name: it must be 1 to ${MAX_GROUP_NAME_CHARS} characters and not all white space.`,
    );
}

function excludedOf(url: URL): ReadonlySet<string> {
  return new Set(url.searchParams.getAll('excluded'));
}

async function sendTo(call: RestCall, connections: Iterable<ClientConnection>, excluded: boolean) {
  const frame = await call.frame();
  const skip = excluded ? excludedOf(call.url) : new Set<string>();
  for (const connection of connections) if (!skip.has(connection.id)) connection.send(frame);
}

/**
 * A REST close sends the client a Close message that allows it to reconnect, with the reason as
 * its error (Azure/azure-signalr, the emulator's Controllers/SignalRServiceEmulatorWebApi.cs,
 * `SendCloseAsync`: `new CloseMessage(reason, true)`): the app closed this connection, not the
 * client's whole session, so a client with automatic reconnect comes back.
 */
const ALLOW_RECONNECT = true;

function closeAll(call: RestCall, connections: Iterable<ClientConnection>): void {
  const skip = excludedOf(call.url);
  const reason = call.url.searchParams.get('reason') ?? undefined;
  for (const connection of [...connections])
    if (!skip.has(connection.id)) connection.close(reason, ALLOW_RECONNECT);
}

function ttlOf(url: URL): number | undefined {
  const ttl = url.searchParams.get('ttl');
  if (ttl === null) return undefined;
  if (!/^\d+$/.test(ttl))
    throw new HttpError(400, 'InvalidTtl', `ttl "${ttl}" must be a whole number of seconds.`);
  return Number(ttl);
}

const connectionOf = (call: RestCall) => call.registry.connections.get(call.params.connection);
const exists = ['GET', 'HEAD'];
const head = ['HEAD'];
const post = ['POST'];
const put = ['PUT'];
const del = ['DELETE'];

export const REST_OPERATIONS: readonly RestOperation[] = [
  {
    name: 'broadcast',
    v1: { methods: post, path: '', status: 202 },
    dated: { methods: post, path: '/:send', status: 202 },
    handle: (call) => sendTo(call, call.registry.connections.values(), true),
  },
  {
    name: 'send to user',
    v1: { methods: post, path: '/users/{user}', status: 202 },
    dated: { methods: post, path: '/users/{user}/:send', status: 202 },
    handle: (call) => sendTo(call, call.registry.connectionsOfUser(call.params.user), false),
  },
  {
    name: 'send to group',
    v1: { methods: post, path: '/groups/{group}', status: 202 },
    dated: { methods: post, path: '/groups/{group}/:send', status: 202 },
    handle: (call) => sendTo(call, call.registry.connectionsInGroup(call.params.group), true),
  },
  {
    name: 'send to connection',
    v1: { methods: post, path: '/connections/{connection}', status: 202 },
    dated: { methods: post, path: '/connections/{connection}/:send', status: 202 },
    handle: (call) => {
      const connection = connectionOf(call);
      return sendTo(call, connection === undefined ? [] : [connection], false);
    },
  },
  {
    name: 'add connection to group',
    v1: { methods: put, path: '/groups/{group}/connections/{connection}', status: 200 },
    dated: { methods: put, path: '/groups/{group}/connections/{connection}', status: 200 },
    handle: (call) => {
      const connection = connectionOf(call);
      if (connection === undefined)
        throw notFound(
          ErrorCode.ConnectionNotExistedError,
          `Connection '${call.params.connection}'`,
        );
      call.registry.addConnectionToGroup(connection, call.params.group);
    },
  },
  {
    name: 'remove connection from group',
    v1: { methods: del, path: '/groups/{group}/connections/{connection}', status: 200 },
    dated: { methods: del, path: '/groups/{group}/connections/{connection}', status: 200 },
    handle: (call) => {
      const connection = connectionOf(call);
      if (
        connection === undefined ||
        !call.registry.removeConnectionFromGroup(connection, call.params.group)
      )
        throw notFound(
          ErrorCode.ConnectionNotExisted,
          `Connection '${call.params.connection}' in group '${call.params.group}'`,
        );
    },
  },
  {
    name: 'remove connection from all groups',
    dated: { methods: del, path: '/connections/{connection}/groups', status: 200 },
    handle: (call) => {
      const connection = connectionOf(call);
      if (connection !== undefined) call.registry.removeConnectionFromAllGroups(connection);
    },
  },
  {
    name: 'add user to group',
    v1: { methods: put, path: '/groups/{group}/users/{user}', status: 202 },
    dated: { methods: put, path: '/users/{user}/groups/{group}', status: 200 },
    handle: (call) =>
      call.registry.addUserToGroup(call.params.user, call.params.group, ttlOf(call.url)),
  },
  {
    name: 'remove user from group',
    v1: { methods: del, path: '/groups/{group}/users/{user}', status: 202 },
    dated: { methods: del, path: '/users/{user}/groups/{group}', status: 204 },
    handle: (call) => call.registry.removeUserFromGroup(call.params.user, call.params.group),
  },
  {
    name: 'remove user from all groups',
    v1: { methods: del, path: '/users/{user}/groups', status: 200 },
    dated: { methods: del, path: '/users/{user}/groups', status: 204 },
    handle: (call) => call.registry.removeUserFromAllGroups(call.params.user),
  },
  {
    name: 'is user in group',
    v1: { methods: exists, path: '/groups/{group}/users/{user}', status: 200 },
    dated: { methods: head, path: '/users/{user}/groups/{group}', status: 200 },
    handle: (call) => {
      if (!call.registry.isUserInGroup(call.params.user, call.params.group))
        throw notFound(
          ErrorCode.UserNotInGroup,
          `User '${call.params.user}' in group '${call.params.group}'`,
        );
    },
  },
  {
    name: 'connection exists',
    v1: { methods: exists, path: '/connections/{connection}', status: 200 },
    dated: { methods: head, path: '/connections/{connection}', status: 200 },
    handle: (call) => {
      if (connectionOf(call) === undefined)
        throw notFound(ErrorCode.ConnectionNotExisted, `Connection '${call.params.connection}'`);
    },
  },
  {
    name: 'user exists',
    v1: { methods: exists, path: '/users/{user}', status: 200 },
    dated: { methods: head, path: '/users/{user}', status: 200 },
    handle: (call) => {
      if (call.registry.connectionsOfUser(call.params.user).size === 0)
        throw notFound(ErrorCode.UserNotExisted, `User '${call.params.user}'`);
    },
  },
  {
    name: 'group exists',
    v1: { methods: exists, path: '/groups/{group}', status: 200 },
    dated: { methods: head, path: '/groups/{group}', status: 200 },
    handle: (call) => {
      if (call.registry.connectionsInGroup(call.params.group).size === 0)
        throw notFound(ErrorCode.GroupNotExisted, `Group '${call.params.group}'`);
    },
  },
  {
    name: 'close connection',
    v1: { methods: del, path: '/connections/{connection}', status: 202 },
    dated: { methods: del, path: '/connections/{connection}', status: 200 },
    handle: (call) =>
      connectionOf(call)?.close(call.url.searchParams.get('reason') ?? undefined, ALLOW_RECONNECT),
  },
  {
    name: 'close all connections',
    dated: { methods: post, path: '/:closeConnections', status: 204 },
    handle: (call) => closeAll(call, call.registry.connections.values()),
  },
  {
    name: 'close group connections',
    dated: { methods: post, path: '/groups/{group}/:closeConnections', status: 204 },
    handle: (call) => closeAll(call, call.registry.connectionsInGroup(call.params.group)),
  },
  {
    name: 'close user connections',
    dated: { methods: post, path: '/users/{user}/:closeConnections', status: 204 },
    handle: (call) => closeAll(call, call.registry.connectionsOfUser(call.params.user)),
  },
];

/** Matches segments against a route path; returns its parameters, or undefined. */
export function matchRoute(
  route: RestRoute,
  segments: readonly string[],
): Record<string, string> | undefined {
  const template = route.path === '' ? [] : route.path.slice(1).split('/');
  if (template.length !== segments.length) return undefined;
  const params: Record<string, string> = {};
  for (const [i, part] of template.entries()) {
    const name = /^\{(\w+)\}$/.exec(part)?.[1];
    if (name !== undefined) params[name] = segments[i];
    else if (part !== segments[i]) return undefined;
  }
  return params;
}
