import { RECORD_SEPARATOR } from './constants';

/** The JSON hub protocol, version 1, as message types (spec §5). */
export enum MessageType {
  Invocation = 1,
  StreamItem = 2,
  Completion = 3,
  StreamInvocation = 4,
  CancelInvocation = 5,
  Ping = 6,
  Close = 7,
}

export interface HandshakeRequest {
  readonly protocol: string;
  readonly version: number;
}

export interface InvocationMessage {
  readonly type: MessageType.Invocation | MessageType.StreamInvocation;
  readonly invocationId?: string;
  readonly target: string;
  readonly arguments: readonly unknown[];
}

export interface CompletionMessage {
  readonly type: MessageType.Completion;
  readonly invocationId: string;
  readonly error?: string;
  readonly result?: unknown;
}

export interface CloseMessage {
  readonly type: MessageType.Close;
  readonly error?: string;
  readonly allowReconnect?: boolean;
}

export interface OtherMessage {
  readonly type: MessageType.StreamItem | MessageType.CancelInvocation | MessageType.Ping;
}

export type HubMessage = InvocationMessage | CompletionMessage | CloseMessage | OtherMessage;

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

/** Parses one record into a hub message; unknown types are returned for the caller to skip. */
export function parseRecord(record: string): { readonly type: number } & Record<string, unknown> {
  const value: unknown = JSON.parse(record);
  if (
    typeof value !== 'object' ||
    value === null ||
    typeof (value as { type?: unknown }).type !== 'number'
  ) {
    throw new SyntaxError('A hub message must be a JSON object with a numeric "type".');
  }
  return value as { type: number } & Record<string, unknown>;
}

export const PING_FRAME = formatRecord({ type: MessageType.Ping });
export const HANDSHAKE_OK_FRAME = formatRecord({});
