/**
 * The JSON hub protocol, version 1, as the service, the Functions extension and the clients
 * speak it (docs/signalr-service.md, "Hub protocol"): the one home of its separator, message
 * types and framing, for the emulator, the host's webhook and the load clients.
 */

/** Every JSON hub protocol record ends with this. */
export const RECORD_SEPARATOR = '\u001e';

/** The message types. */
export enum MessageType {
  Invocation = 1,
  StreamItem = 2,
  Completion = 3,
  StreamInvocation = 4,
  CancelInvocation = 5,
  Ping = 6,
  Close = 7,
}

export interface InvocationMessage {
  readonly type: MessageType.Invocation | MessageType.StreamInvocation;
  readonly invocationId?: string;
  readonly target: string;
  readonly arguments: readonly unknown[];
}

export interface CloseMessage {
  readonly type: MessageType.Close;
  readonly error?: string;
  readonly allowReconnect?: boolean;
}

/** Messages a client may send that the service reads no further than their type. */
export interface OtherMessage {
  readonly type:
    | MessageType.StreamItem
    | MessageType.Completion
    | MessageType.CancelInvocation
    | MessageType.Ping;
}

/** A client-to-service message of the JSON hub protocol, version 1. */
export type HubMessage = InvocationMessage | CloseMessage | OtherMessage;

/** One record, serialised with its separator. */
export function formatRecord(message: object): string {
  return JSON.stringify(message) + RECORD_SEPARATOR;
}

/** Splits a frame into records; a frame must end with the separator. */
export function splitRecords(frame: string): string[] {
  if (!frame.endsWith(RECORD_SEPARATOR))
    throw new SyntaxError('Message is incomplete: it does not end with the record separator 0x1E.');
  return frame.slice(0, -1).split(RECORD_SEPARATOR);
}

const KNOWN_TYPES: ReadonlySet<number> = new Set(
  Object.values(MessageType).filter((value) => typeof value === 'number'),
);

/**
 * Parses one record into a hub message. A type this protocol version does not define gives
 * undefined, for the caller to skip (as the official clients do); a malformed record throws.
 */
export function parseRecord(record: string): HubMessage | undefined {
  const value: unknown = JSON.parse(record);
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new SyntaxError('A hub message must be a JSON object with a numeric "type".');
  const message = value as Record<string, unknown>;
  if (typeof message.type !== 'number')
    throw new SyntaxError('A hub message must be a JSON object with a numeric "type".');
  if (!KNOWN_TYPES.has(message.type)) return undefined;
  if (message.type === MessageType.Invocation || message.type === MessageType.StreamInvocation) {
    if (typeof message.target !== 'string' || !Array.isArray(message.arguments))
      throw new SyntaxError('An invocation needs a string "target" and an "arguments" array.');
    if (message.invocationId !== undefined && typeof message.invocationId !== 'string')
      throw new SyntaxError('"invocationId" must be a string.');
  }
  return message as unknown as HubMessage;
}

export const PING_FRAME = formatRecord({ type: MessageType.Ping });
export const HANDSHAKE_OK_FRAME = formatRecord({});
/** What a client sends first: the JSON protocol, version 1. */
export const JSON_HANDSHAKE_FRAME = formatRecord({ protocol: 'json', version: 1 });
