/**
 * The JSON hub protocol, versions 1 and 2 (stateful reconnect), as the service, the Functions extension and the clients
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
  /** Stateful reconnect (protocol version 2): the highest sequence id received. */
  Ack = 8,
  /** Stateful reconnect: sent first after a reconnect, the id the next message will carry. */
  Sequence = 9,
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

/** Ack and Sequence (HubProtocol.md, "Stateful Reconnect"): a sequence id and nothing else. */
export interface SequenceMessage {
  readonly type: MessageType.Ack | MessageType.Sequence;
  readonly sequenceId: number;
}

/** A client-to-service message of the JSON hub protocol, versions 1 and 2. */
export type HubMessage = InvocationMessage | CloseMessage | SequenceMessage | OtherMessage;

/**
 * The messages that carry a sequence id under stateful reconnect, and are buffered for replay
 * (HubProtocol.md, "Trackable messages"); Ping, Close, Ack and Sequence are not.
 */
export function isTrackable(type: MessageType): boolean {
  return type >= MessageType.Invocation && type <= MessageType.CancelInvocation;
}

/** A sequence id as the protocol writes it: a whole number, 0 or more. */
export function readSequenceId(value: unknown): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0)
    throw new SyntaxError('"sequenceId" must be a whole number, 0 or more.');
  return value;
}

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
  if (message.type === MessageType.Ack || message.type === MessageType.Sequence)
    return { type: message.type, sequenceId: readSequenceId(message.sequenceId) };
  return message as unknown as HubMessage;
}

export const PING_FRAME = formatRecord({ type: MessageType.Ping });
export const HANDSHAKE_OK_FRAME = formatRecord({});
/** What a client sends first: the JSON protocol, version 1. */
export const JSON_HANDSHAKE_FRAME = formatRecord({ protocol: 'json', version: 1 });
