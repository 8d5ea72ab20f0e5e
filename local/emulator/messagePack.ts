import { decode, encode } from '@msgpack/msgpack';
import {
  MessageType,
  RECORD_SEPARATOR,
  readSequenceId,
  type HubMessage,
} from '../signalr/hubProtocol';

/**
 * The MessagePack hub protocol, version 1 (dotnet/aspnetcore src/SignalR/docs/specs/HubProtocol.md,
 * "MessagePack (MsgPack) encoding"): each message an array whose first element is its type,
 * framed by its length as a VarInt (7 bits a byte, least significant first, the high bit set on
 * every byte but the last; at most 5 bytes, at most 2 GB). The handshake stays JSON. The
 * service speaks it to a client that asks for it, and gives such a client every message, from
 * the REST API or the upstream, in MessagePack (docs/signalr-service.md, "MessagePack").
 */
export const MESSAGEPACK_PROTOCOL = 'messagepack';

const MAX_LENGTH_BYTES = 5;

/** A MessagePack payload with its length prefix. */
export function frameBinary(payload: Uint8Array): Buffer {
  const prefix: number[] = [];
  let length = payload.length;
  do {
    let byte = length & 0x7f;
    length >>>= 7;
    if (length > 0) byte |= 0x80;
    prefix.push(byte);
  } while (length > 0);
  return Buffer.concat([Buffer.from(prefix), payload]);
}

/**
 * The payloads of a binary frame; throws a SyntaxError for a length prefix that is too long, or
 * a frame that ends inside a message.
 */
export function splitBinary(data: Buffer, maxMessageBytes: number): Buffer[] {
  const payloads: Buffer[] = [];
  let offset = 0;
  while (offset < data.length) {
    let length = 0;
    let bytes = 0;
    let byte: number;
    do {
      if (bytes === MAX_LENGTH_BYTES) throw new SyntaxError('Message length prefix is too long.');
      if (offset + bytes >= data.length) throw new SyntaxError('Message is incomplete.');
      byte = data[offset + bytes];
      length += (byte & 0x7f) * 2 ** (7 * bytes);
      bytes++;
    } while (byte & 0x80);
    if (length > maxMessageBytes)
      throw new SyntaxError(`Message of ${length} bytes is over the limit of ${maxMessageBytes}.`);
    const start = offset + bytes;
    if (start + length > data.length) throw new SyntaxError('Message is incomplete.');
    payloads.push(data.subarray(start, start + length));
    offset = start + length;
  }
  return payloads;
}

/**
 * One client message from its MessagePack payload, in the shapes the JSON protocol has; a type
 * the protocol does not define gives undefined (skipped, as the clients do); malformed throws.
 */
export function parseBinaryMessage(payload: Buffer): HubMessage | undefined {
  let value: unknown;
  try {
    value = decode(payload);
  } catch (error) {
    throw new SyntaxError(`Not MessagePack: ${(error as Error).message}`);
  }
  if (!Array.isArray(value) || typeof value[0] !== 'number')
    throw new SyntaxError('A MessagePack hub message must be an array that starts with its type.');
  const [type] = value as [number];
  switch (type) {
    case MessageType.Invocation:
    case MessageType.StreamInvocation: {
      const [, , invocationId, target, args] = value as unknown[];
      if (typeof target !== 'string' || !Array.isArray(args))
        throw new SyntaxError('An invocation needs a string target and an arguments array.');
      if (invocationId !== null && invocationId !== undefined && typeof invocationId !== 'string')
        throw new SyntaxError('An invocation id must be a string or nil.');
      return {
        type,
        ...(typeof invocationId === 'string' && { invocationId }),
        target,
        arguments: args,
      };
    }
    case MessageType.Close: {
      const [, error] = value as unknown[];
      return { type, ...(typeof error === 'string' && { error }) };
    }
    case MessageType.Ack:
    case MessageType.Sequence:
      return { type, sequenceId: readSequenceId((value as unknown[])[1]) };
    case MessageType.StreamItem:
    case MessageType.Completion:
    case MessageType.CancelInvocation:
    case MessageType.Ping:
      return { type };
    default:
      return undefined;
  }
}

/** One JSON protocol record (a message the service writes) as the same MessagePack message. */
function recordToMessagePack(record: Record<string, unknown>): unknown[] {
  switch (record.type) {
    case MessageType.Invocation:
      return [
        MessageType.Invocation,
        {},
        record.invocationId ?? null,
        record.target,
        record.arguments,
      ];
    case MessageType.Completion:
      if (typeof record.error === 'string')
        return [MessageType.Completion, {}, record.invocationId, 1, record.error];
      return 'result' in record
        ? [MessageType.Completion, {}, record.invocationId, 3, record.result]
        : [MessageType.Completion, {}, record.invocationId, 2];
    case MessageType.Ping:
      return [MessageType.Ping];
    case MessageType.Close:
      return [MessageType.Close, record.error ?? null, record.allowReconnect === true];
    case MessageType.Ack:
    case MessageType.Sequence:
      return [record.type, record.sequenceId];
    default:
      throw new TypeError(`No MessagePack form for a message of type ${String(record.type)}.`);
  }
}

/** Frames converted already: a fan-out frame is converted once, whatever the number of targets. */
const converted = new WeakMap<Buffer, Buffer>();

/**
 * A frame of the JSON protocol (one or more records, as the service serialised it once) in
 * MessagePack: what a MessagePack client of the same group or user receives.
 */
export function toMessagePack(frame: string | Buffer): Buffer {
  const cached = typeof frame === 'string' ? undefined : converted.get(frame);
  if (cached !== undefined) return cached;
  const text = frame.toString();
  const records = text.slice(0, -1).split(RECORD_SEPARATOR);
  const binary = Buffer.concat(
    records.map((record) =>
      frameBinary(encode(recordToMessagePack(JSON.parse(record) as Record<string, unknown>))),
    ),
  );
  // A fan-out frame is a Buffer shared by every target; a string is one connection's own.
  if (typeof frame !== 'string') converted.set(frame, binary);
  return binary;
}
