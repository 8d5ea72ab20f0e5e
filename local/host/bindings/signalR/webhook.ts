import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { HttpError } from '../../../../lib/HttpError';
import { decode, encode } from '@msgpack/msgpack';
import { MessageType, formatRecord } from '../../../signalr/hubProtocol';
import { parseConnectionString } from '../../../../lib/signalr/ConnectionString';
import { Setting } from '../../../../lib/settings';
import {
  MAX_UPSTREAM_BODY_BYTES,
  UpstreamCategory,
  UpstreamEvent,
  UpstreamHeader,
  UpstreamMessageType,
  parseClaims,
  parseClientQuery,
  signatureMatches,
  type InvocationContext,
} from '../../../signalr/upstream';
import { readBody } from '../../../http/readBody';
import { sendJson } from '../../../http/respond';
import type { AppSettings } from '../Binding';
import type { FunctionDefinition } from '../../functionJson';
import { readHeaders } from '../../http/readHeaders';
import { requireSetting } from '../../localSettings';

/**
 * `/runtime/webhooks/signalr`: the SignalR Service's upstream calls, answered as the Functions
 * host and the SignalR extension answer them (docs/functions-host.md, "SignalR trigger"):
 * - the `signalr_extension` system key, in `x-functions-key` or else `code`, or 401
 *   (azure-functions-host, HostController.ExtensionWebHookHandler under SystemKeyAuthLevel;
 *   AuthenticationLevelHandler.cs);
 * - then the extension (Azure/azure-sdk-for-net, Microsoft.Azure.WebJobs.Extensions.SignalRService,
 *   TriggerBindings/SignalRTriggerDispatcher.cs and Executor/*.cs): 415 unless the media type is
 *   exactly application/json or application/x-msgpack; 500 when X-ASRS-Hub, -Category or -Event
 *   is missing (GetValues throws), 400 when one is empty; 404 when no function maps them; 500
 *   for a missing or empty connection id or a body that does not parse; 401 when no access key
 *   signs the connection id; a failing connected function 403; a failing disconnected function
 *   200; an invocation 200 with the completion message's bytes when the client waits for one.
 */
const MEDIA_TYPES = ['application/json', 'application/x-msgpack'];

export interface SignalRWebhookOptions {
  readonly functions: readonly FunctionDefinition[];
  readonly settings: AppSettings;
  /** The host's `signalr_extension` system key. */
  readonly systemKey: string;
  /** Runs the function with the invocation context; resolves with its result, rejects on failure. */
  readonly run: (fn: FunctionDefinition, context: InvocationContext) => Promise<unknown>;
}

/** An answer with no body, as the extension gives (only a reason phrase). */
function status(code: number, reason: string): HttpError {
  return new HttpError(code, 'UpstreamRefused', reason);
}

function keyMatches(given: string | undefined, key: string): boolean {
  if (given === undefined || given.length === 0) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(key);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** A body's property by name, without regard to case, as Newtonsoft binds them. */
type Fields = (name: string) => unknown;

/** The media type of a MessagePack client's invocation (the extension's MessagePackMessageParser). */
const MESSAGEPACK_MEDIA_TYPE = 'application/x-msgpack';

/**
 * A MessagePack client's invocation, as the extension reads it (Azure/azure-signalr,
 * MessagePackServerlessProtocol.cs): an array of type, headers (skipped), invocation id, target
 * and arguments. Only invocations come in MessagePack: connects and disconnects are always JSON
 * (its comment: "OpenConnectionMessage and CloseConnectionMessage only will be sent in JSON").
 */
function parseMessagePackBody(bytes: Buffer, type: number): Fields {
  let value: unknown;
  try {
    value = decode(bytes);
  } catch {
    throw status(500, 'Parsing message failed');
  }
  if (!Array.isArray(value) || value[0] !== type || type !== UpstreamMessageType.Invocation)
    throw status(500, 'Parsing message failed');
  const [, , invocationId, target, args] = value as unknown[];
  const fields: Record<string, unknown> = { type, invocationId, target, arguments: args };
  return (name) => fields[name];
}

/** A completion as the MessagePack hub protocol writes it: length-prefixed (HubProtocol.md). */
function messagePackCompletion(completion: {
  invocationId: string;
  result?: unknown;
  error?: string;
}): Buffer {
  const message =
    completion.error !== undefined
      ? [MessageType.Completion, {}, completion.invocationId, 1, completion.error]
      : [MessageType.Completion, {}, completion.invocationId, 3, completion.result];
  const payload = encode(message);
  const prefix: number[] = [];
  for (let length = payload.length; ; length >>>= 7) {
    prefix.push((length & 0x7f) | (length > 0x7f ? 0x80 : 0));
    if (length <= 0x7f) break;
  }
  return Buffer.concat([Buffer.from(prefix), payload]);
}

/** The serverless protocol body (JsonServerlessProtocol.cs): an object whose `type` is `type`. */
function parseBody(bytes: Buffer, mediaType: string, type: number): Fields {
  if (mediaType === MESSAGEPACK_MEDIA_TYPE) return parseMessagePackBody(bytes, type);
  if (mediaType !== 'application/json') throw status(500, 'Parsing message failed');
  let body: unknown;
  try {
    body = JSON.parse(bytes.toString('utf8'));
  } catch {
    throw status(500, 'Parsing message failed');
  }
  const fields = typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : {};
  const read = (name: string) =>
    Object.entries(fields).find(([key]) => key.toLowerCase() === name.toLowerCase())?.[1];
  if (read('type') !== type) throw status(500, 'Parsing message failed');
  return read;
}

/** One upstream call: answered here, from the key check to the function's outcome. */
export async function handleSignalRWebhook(
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  options: SignalRWebhookOptions,
): Promise<void> {
  const headers = readHeaders(req);
  // The key: the header wins over the query, as in AuthenticationLevelHandler.
  const key = headers['x-functions-key'] ?? url.searchParams.get('code') ?? undefined;
  if (!keyMatches(key, options.systemKey))
    throw new HttpError(
      401,
      'Unauthorized',
      'The SignalR webhook needs the signalr_extension system key (code= or x-functions-key).',
    );
  const mediaType = (headers['content-type'] ?? '').split(';')[0].trim();
  if (!MEDIA_TYPES.includes(mediaType))
    throw status(415, 'Upstream calls are application/json or application/x-msgpack.');
  const hub = headers[UpstreamHeader.Hub];
  const category = headers[UpstreamHeader.Category];
  const event = headers[UpstreamHeader.Event];
  if (hub === undefined || category === undefined || event === undefined)
    throw status(500, 'The given header was not found.');
  if (hub === '' || category === '' || event === '') throw status(400, 'Bad Request');
  const same = (a: unknown, b: string) => String(a).toLowerCase() === b.toLowerCase();
  const fn = options.functions.find(
    (candidate) =>
      candidate.trigger.type === 'signalRTrigger' &&
      same(candidate.trigger.hubName, hub) &&
      same(candidate.trigger.category, category) &&
      same(candidate.trigger.event, event),
  );
  if (fn === undefined) throw status(404, `No function handles ${hub}/${category}/${event}.`);
  const connectionId = headers[UpstreamHeader.ConnectionId];
  if (connectionId === undefined) throw status(500, 'The given header was not found.');
  if (connectionId === '') throw status(500, 'Exception of type SignalRTriggerException.');
  const bytes = await readBody(req, { limit: MAX_UPSTREAM_BODY_BYTES });
  const isMessages = same(category, UpstreamCategory.Messages);
  const isDisconnected = !isMessages && same(event, UpstreamEvent.Disconnected);
  // Disconnected and invocations parse the body before the signature is checked (Executor/*.cs).
  const body = isMessages
    ? parseBody(bytes, mediaType, UpstreamMessageType.Invocation)
    : isDisconnected
      ? parseBody(bytes, mediaType, UpstreamMessageType.CloseConnection)
      : undefined;
  if (isMessages && !same(body!('target'), event))
    throw status(500, 'Exception of type SignalRTriggerException.');
  const setting = String(fn.trigger.connectionStringSetting ?? Setting.SignalR);
  const { accessKey } = parseConnectionString(requireSetting(options.settings, setting));
  if (!signatureMatches(headers[UpstreamHeader.Signature] ?? '', accessKey, connectionId))
    throw status(401, 'Unauthorized');
  const args = body?.('arguments');
  const error = body?.('error');
  const context: InvocationContext = {
    Arguments: isMessages && Array.isArray(args) ? args : null,
    Error: isDisconnected && typeof error === 'string' ? error : null,
    Category: category,
    Event: event,
    Hub: hub,
    ConnectionId: connectionId,
    UserId: headers[UpstreamHeader.UserId] ?? null,
    Headers: Object.fromEntries(
      Object.entries(headers).filter(
        ([name]) => name !== 'content-type' && name !== 'content-length',
      ),
    ),
    Query: parseClientQuery(headers[UpstreamHeader.ClientQuery] ?? ''),
    Claims: parseClaims(headers[UpstreamHeader.UserClaims] ?? ''),
  };
  let outcome: { ok: true; result: unknown } | { ok: false; error: unknown };
  try {
    outcome = { ok: true, result: await options.run(fn, context) };
  } catch (failure) {
    outcome = { ok: false, error: failure };
  }
  const invocationId = body?.('invocationId');
  if (isMessages && typeof invocationId === 'string' && invocationId.length > 0) {
    const completion = outcome.ok
      ? { type: MessageType.Completion, invocationId, result: outcome.result ?? null }
      : {
          type: MessageType.Completion,
          invocationId,
          error: (outcome.error as Error)?.message || 'Method execution failed.',
        };
    // Answered in the protocol it was asked in (MessageParser.Protocol writes the completion).
    const binary = mediaType === MESSAGEPACK_MEDIA_TYPE;
    const payload = binary
      ? messagePackCompletion(completion)
      : Buffer.from(formatRecord(completion));
    res
      .writeHead(200, {
        'Content-Type': binary ? MESSAGEPACK_MEDIA_TYPE : 'application/json',
        'Content-Length': String(payload.length),
      })
      .end(payload);
    return;
  }
  if (!outcome.ok && !isMessages && !isDisconnected)
    return sendJson(res, 403, { error: 'The connected function failed.', code: 'Forbidden' });
  res.writeHead(200, { 'Content-Length': 0 }).end();
}
