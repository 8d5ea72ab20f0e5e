import { parseRecord, splitRecords, type HubMessage } from '../signalr/hubProtocol';
import { MESSAGEPACK_PROTOCOL, parseBinaryMessage, splitBinary } from './messagePack';
import { DEFAULT_MAX_MESSAGE_BYTES } from './constants';
import { TransportKind } from './transports';

/**
 * What a client sends, read: its handshake, then its frames in the protocol the handshake chose
 * (HubProtocol.md; docs/signalr-service.md, "Hub protocol", "MessagePack"). Pure functions: a
 * ClientConnection acts on what they answer.
 */

export type HubProtocolName = 'json' | typeof MESSAGEPACK_PROTOCOL;

export type Handshake =
  { readonly protocol: HubProtocolName; readonly version: 1 | 2 } | { readonly error: string };

/** The handshake request (always JSON), or the error the service answers it with. */
export function readHandshake(frame: string, transport: TransportKind): Handshake {
  let parsed: unknown;
  try {
    parsed = JSON.parse(splitRecords(frame)[0]);
  } catch {
    return { error: 'The handshake is not valid JSON followed by the record separator.' };
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    return { error: 'The handshake must be a JSON object like {"protocol":"json","version":1}.' };
  const request = parsed as { protocol?: unknown; version?: unknown };
  if (request.protocol !== 'json' && request.protocol !== MESSAGEPACK_PROTOCOL)
    return {
      error: `The protocol '${String(request.protocol)}' is not supported; this service speaks 'json' and 'messagepack'.`,
    };
  // Version 2 adds Ack and Sequence for stateful reconnect; both protocols speak 1 and 2
  // (JsonHubProtocol and MessagePackHubProtocol: ProtocolVersion = 2).
  if (request.version !== 1 && request.version !== 2)
    return {
      error: `The server does not support version ${String(request.version)} of the '${request.protocol}' protocol; use version 1 or 2.`,
    };
  // Binary needs a transport that carries bytes: Server-Sent Events carry text only.
  if (request.protocol === MESSAGEPACK_PROTOCOL && transport === TransportKind.ServerSentEvents)
    return {
      error:
        "The 'messagepack' protocol needs binary frames, which Server-Sent Events cannot carry; use WebSockets or long polling.",
    };
  return { protocol: request.protocol, version: request.version };
}

/**
 * The messages of one frame, in order (undefined for a type the protocol does not define, to be
 * skipped), and the error that ends the connection when the frame is bad: those read before it
 * still count.
 */
export function readFrames(
  data: Buffer,
  isBinary: boolean,
  protocol: HubProtocolName,
  transport: TransportKind,
  maxMessageBytes = DEFAULT_MAX_MESSAGE_BYTES,
): { readonly messages: (HubMessage | undefined)[]; readonly error?: string } {
  if (protocol === MESSAGEPACK_PROTOCOL) {
    if (!isBinary)
      return { messages: [], error: 'Text frames are not supported by the MessagePack protocol.' };
    try {
      return { messages: splitBinary(data, maxMessageBytes).map(parseBinaryMessage) };
    } catch (error) {
      return { messages: [], error: `Invalid message: ${(error as Error).message}` };
    }
  }
  // Over HTTP the body carries no frame type; over a WebSocket a binary frame is not JSON.
  if (isBinary && transport === TransportKind.WebSockets)
    return { messages: [], error: 'Binary frames are not supported by the JSON protocol.' };
  const messages: (HubMessage | undefined)[] = [];
  try {
    for (const record of splitRecords(data.toString('utf8'))) messages.push(parseRecord(record));
  } catch (error) {
    return { messages, error: `Invalid message: ${(error as Error).message}` };
  }
  return { messages };
}
