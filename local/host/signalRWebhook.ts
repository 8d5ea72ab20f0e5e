import { createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { HttpError } from '../http/HttpError';
import { readBody } from '../http/readBody';
import { parseConnectionString } from '../signalr/ConnectionString';
import { CONNECTION_STRING_SETTING } from '../signalr/constants';
import type { AppSettings } from './bindings/Binding';
import type { LoadedFunction } from './functionJson';
import { requireSetting } from './localSettings';

/**
 * `POST /runtime/webhooks/signalr`: the SignalR Service's upstream calls, dispatched to the
 * `signalRTrigger` function for (hub, category, event) as the Functions extension does
 * (Azure/azure-sdk-for-net, .../SignalRService/src/TriggerBindings/SignalRTriggerDispatcher.cs,
 * Resolver/SignalRRequestResolver.cs): 415 for a content type other than JSON or MessagePack,
 * 400 without hub, category or event (or connection id), 404 when no function maps them, 401
 * when no access key signs the connection id. docs/functions-host.md, "SignalR trigger".
 */
export const SIGNALR_WEBHOOK_PATH = '/runtime/webhooks/signalr';
const MAX_UPSTREAM_BODY_BYTES = 1024 * 1024;

/** What the function receives: the extension's InvocationContext, property names as it sends them. */
export interface SignalRInvocationContext {
  readonly ConnectionId: string;
  readonly UserId?: string;
  readonly Hub: string;
  readonly Category: string;
  readonly Event: string;
  readonly Query: Readonly<Record<string, string>>;
  readonly Claims: Readonly<Record<string, string>>;
  readonly Headers: Readonly<Record<string, string>>;
  readonly Error?: string;
  readonly Arguments?: readonly unknown[];
}

function header(req: IncomingMessage, name: string): string {
  const value = req.headers[name];
  return (Array.isArray(value) ? value[0] : value) ?? '';
}

function signatureValid(req: IncomingMessage, accessKey: string, connectionId: string): boolean {
  const expected = Buffer.from(
    `sha256=${createHmac('sha256', accessKey).update(connectionId).digest('hex')}`.toLowerCase(),
  );
  return header(req, 'x-asrs-signature')
    .split(',')
    .map((part) => Buffer.from(part.trim().toLowerCase()))
    .some((given) => given.length === expected.length && timingSafeEqual(given, expected));
}

function pairs(text: string, separator: string): Record<string, string> {
  const result: Record<string, string> = {};
  for (const part of text.split(separator)) {
    const at = part.indexOf(separator === '&' ? '=' : ':');
    if (at > 0)
      result[decodeURIComponent(part.slice(0, at).trim())] = decodeURIComponent(
        part.slice(at + 1).trim(),
      );
  }
  return result;
}

/** Validates and parses one upstream call; returns the function to run and what it receives. */
export async function resolveSignalRCall(
  req: IncomingMessage,
  functions: readonly LoadedFunction[],
  settings: AppSettings,
): Promise<{ fn: LoadedFunction; context: SignalRInvocationContext }> {
  const mediaType = header(req, 'content-type').split(';')[0].trim();
  if (mediaType !== 'application/json' && mediaType !== 'application/x-msgpack')
    throw new HttpError(415, 'Upstream calls are application/json or application/x-msgpack.');
  const hub = header(req, 'x-asrs-hub');
  const category = header(req, 'x-asrs-category');
  const event = header(req, 'x-asrs-event');
  const connectionId = header(req, 'x-asrs-connection-id');
  if (!hub || !category || !event || !connectionId)
    throw new HttpError(
      400,
      'An upstream call needs X-ASRS-Hub, X-ASRS-Category, X-ASRS-Event and X-ASRS-Connection-Id.',
    );
  const same = (a: unknown, b: string) => String(a).toLowerCase() === b.toLowerCase();
  const fn = functions.find(
    (candidate) =>
      candidate.trigger.type === 'signalRTrigger' &&
      same(candidate.trigger.hubName, hub) &&
      same(candidate.trigger.category, category) &&
      same(candidate.trigger.event, event),
  );
  if (fn === undefined)
    throw new HttpError(404, `No function handles ${hub}/${category}/${event}.`);
  const setting = String(fn.trigger.connectionStringSetting ?? CONNECTION_STRING_SETTING);
  const { accessKey } = parseConnectionString(requireSetting(settings, setting));
  if (!signatureValid(req, accessKey, connectionId))
    throw new HttpError(401, 'The X-ASRS-Signature does not match any access key.');
  const body = JSON.parse(
    (await readBody(req, { limit: MAX_UPSTREAM_BODY_BYTES })).toString('utf8') || '{}',
  ) as Record<string, unknown>;
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers))
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
  const error = body.Error ?? body.error;
  const args = body.arguments;
  return {
    fn,
    context: {
      ConnectionId: connectionId,
      ...(header(req, 'x-asrs-user-id') && { UserId: header(req, 'x-asrs-user-id') }),
      Hub: hub,
      Category: category,
      Event: event,
      Query: pairs(header(req, 'x-asrs-client-query'), '&'),
      Claims: pairs(header(req, 'x-asrs-user-claims'), ','),
      Headers: headers,
      ...(typeof error === 'string' && { Error: error }),
      ...(Array.isArray(args) && { Arguments: args }),
    },
  };
}
