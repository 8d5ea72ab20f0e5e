import type { Logger } from '../log';
import { CLIENT_TIMEOUT_MS, HANDSHAKE_TIMEOUT_MS } from './constants';
import {
  HANDSHAKE_OK_FRAME,
  MessageType,
  type HubMessage,
  type InvocationMessage,
  formatRecord,
  parseRecord,
  splitRecords,
} from '../../lib/signalr/hubProtocol';
import { DEFAULT_MAX_MESSAGE_BYTES } from './constants';
import {
  MESSAGEPACK_PROTOCOL,
  parseBinaryMessage,
  splitBinary,
  toMessagePack,
} from './messagePack';
import { TransportKind, type ClientTransport } from './transports';

/** A client connection's lifecycle: string values so logs read well. */
export enum ConnectionState {
  Handshaking = 'handshaking',
  Connected = 'connected',
  Closed = 'closed',
}

/** One client connection speaking the JSON hub protocol, over any of the three transports. */
export class ClientConnection {
  state = ConnectionState.Handshaking;
  /** Where hub invocations go when upstream is configured; without it they close the connection. */
  onInvocation?: (message: InvocationMessage) => void;
  readonly openedAt = Date.now();
  /** The hub protocol the handshake chose. */
  protocol: 'json' | typeof MESSAGEPACK_PROTOCOL = 'json';
  lastReceivedAt = Date.now();

  constructor(
    readonly id: string,
    /** The hub name, lowercased: hub names compare case-insensitively. */
    readonly hub: string,
    readonly userId: string | undefined,
    private readonly transport: ClientTransport,
    private readonly maxBufferedBytes: number,
    private readonly log: Logger,
    private readonly onConnected: (connection: ClientConnection) => void,
    private readonly onClosed: (connection: ClientConnection) => void,
  ) {
    transport.onMessage = (data, isBinary) => {
      // No frame may stop the service: anything this connection cannot handle closes it alone.
      try {
        this.transportOnMessage(data, isBinary);
      } catch (error) {
        this.log.warn(`connection ${id}: closed after an error: ${(error as Error).message}`);
        this.close('The service could not process a message from this connection.');
      }
    };
    transport.onClose = () => this.transportOnClose();
    transport.onError = (error) =>
      this.log.debug(`connection ${id}: transport error ${error.message}`);
  }

  /**
   * Writes a frame serialised once by the caller. A client too far behind is closed instead of
   * buffering without bound; returns false when the frame was not written.
   */
  send(frame: string | Buffer): boolean {
    if (this.state !== ConnectionState.Connected) return false;
    const buffered = this.transport.bufferedBytes();
    if (buffered > this.maxBufferedBytes) {
      this.log.warn(
        `connection ${this.id}: closed, ${buffered} bytes unsent (limit ${this.maxBufferedBytes}); the client is not reading.`,
      );
      this.terminate();
      return false;
    }
    if (this.protocol === MESSAGEPACK_PROTOCOL) this.transport.send(toMessagePack(frame), true);
    else this.transport.send(frame);
    return true;
  }

  /**
   * Writes bytes already in this connection's own protocol (an upstream's answer to its
   * invocation, which the service passes on as it is: HubProxyHandler.DispatchMessagesAsync).
   */
  sendAsIs(bytes: Buffer): boolean {
    if (this.state !== ConnectionState.Connected) return false;
    this.transport.send(bytes, this.protocol === MESSAGEPACK_PROTOCOL);
    return true;
  }

  /** Sends a Close message, then closes. Safe to call twice. */
  close(error?: string, allowReconnect?: boolean): void {
    if (this.state === ConnectionState.Closed) return;
    const message = {
      type: MessageType.Close,
      ...(error !== undefined && { error }),
      ...(allowReconnect && { allowReconnect: true }),
    };
    if (this.state === ConnectionState.Connected) this.send(formatRecord(message));
    this.markClosed();
    this.transport.close();
  }

  terminate(): void {
    this.markClosed();
    this.transport.terminate();
  }

  /** Closes a connection whose handshake or client has gone quiet for too long. */
  sweep(now: number): void {
    if (this.state === ConnectionState.Handshaking && now - this.openedAt > HANDSHAKE_TIMEOUT_MS) {
      this.log.info(
        `connection ${this.id}: no handshake within ${HANDSHAKE_TIMEOUT_MS} ms; closing.`,
      );
      this.terminate();
    } else if (
      this.state === ConnectionState.Connected &&
      now - this.lastReceivedAt > CLIENT_TIMEOUT_MS
    ) {
      this.log.info(
        `connection ${this.id}: nothing received for ${CLIENT_TIMEOUT_MS} ms; closing.`,
      );
      this.close('Server timeout elapsed without receiving a message from the client.');
    }
  }

  private markClosed(): void {
    const wasConnected = this.state === ConnectionState.Connected;
    this.state = ConnectionState.Closed;
    if (wasConnected) this.onClosed(this);
  }

  private transportOnClose(): void {
    if (this.state !== ConnectionState.Closed)
      this.log.debug(`connection ${this.id}: closed by the client.`);
    this.markClosed();
  }

  private transportOnMessage(data: Buffer, isBinary: boolean): void {
    this.lastReceivedAt = Date.now();
    if (this.state === ConnectionState.Handshaking)
      return this.handleHandshake(data.toString('utf8'));
    if (this.state !== ConnectionState.Connected) return;
    if (this.protocol === MESSAGEPACK_PROTOCOL) return this.receiveBinary(data, isBinary);
    // Over HTTP the body carries no frame type; over a WebSocket a binary frame is not JSON.
    if (isBinary && this.transport.kind === TransportKind.WebSockets)
      return this.close('Binary frames are not supported by the JSON protocol.');
    const frame = data.toString('utf8');
    let records: string[];
    try {
      records = splitRecords(frame);
    } catch (error) {
      return this.close(`Invalid message: ${(error as Error).message}`);
    }
    for (const record of records) {
      let message: HubMessage | undefined;
      try {
        message = parseRecord(record);
      } catch (error) {
        return this.close(`Invalid message: ${(error as Error).message}`);
      }
      if (message === undefined)
        this.log.debug(`connection ${this.id}: unknown message type skipped.`);
      else this.handleMessage(message);
    }
  }

  /** Frames of the MessagePack protocol: binary, each message length-prefixed. */
  private receiveBinary(data: Buffer, isBinary: boolean): void {
    if (!isBinary) return this.close('Text frames are not supported by the MessagePack protocol.');
    let messages: (HubMessage | undefined)[];
    try {
      messages = splitBinary(data, DEFAULT_MAX_MESSAGE_BYTES).map(parseBinaryMessage);
    } catch (error) {
      return this.close(`Invalid message: ${(error as Error).message}`);
    }
    for (const message of messages)
      if (message === undefined)
        this.log.debug(`connection ${this.id}: unknown message type skipped.`);
      else this.handleMessage(message);
  }

  private handleHandshake(frame: string): void {
    let parsed: unknown;
    try {
      parsed = JSON.parse(splitRecords(frame)[0]);
    } catch {
      return this.refuseHandshake(
        'The handshake is not valid JSON followed by the record separator.',
      );
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
      return this.refuseHandshake(
        'The handshake must be a JSON object like {"protocol":"json","version":1}.',
      );
    const request = parsed as { protocol?: unknown; version?: unknown };
    if (request.protocol !== 'json' && request.protocol !== MESSAGEPACK_PROTOCOL) {
      return this.refuseHandshake(
        `The protocol '${String(request.protocol)}' is not supported; this service speaks 'json' and 'messagepack'.`,
      );
    }
    if (request.version !== 1) {
      return this.refuseHandshake(
        `The server does not support version ${String(request.version)} of the '${request.protocol}' protocol; use version 1.`,
      );
    }
    // Binary needs a transport that carries bytes: Server-Sent Events carry text only.
    if (
      request.protocol === MESSAGEPACK_PROTOCOL &&
      this.transport.kind === TransportKind.ServerSentEvents
    )
      return this.refuseHandshake(
        "The 'messagepack' protocol needs binary frames, which Server-Sent Events cannot carry; use WebSockets or long polling.",
      );
    this.protocol = request.protocol;
    this.state = ConnectionState.Connected;
    this.transport.send(HANDSHAKE_OK_FRAME);
    this.onConnected(this);
  }

  private refuseHandshake(error: string): void {
    this.log.info(`connection ${this.id}: handshake refused: ${error}`);
    this.transport.send(formatRecord({ error }));
    this.state = ConnectionState.Closed;
    this.transport.close(1002);
  }

  private handleMessage(message: HubMessage): void {
    switch (message.type) {
      case MessageType.StreamInvocation:
        // Serverless mode has no hub to stream from: the service passes only plain invocations
        // upstream (Azure/azure-signalr, HubEmulator/HubProxyHandler.cs, DispatchMessagesAsync:
        // `message is InvocationMessage`); a stream invocation is dropped, the connection kept.
        this.log.debug(`connection ${this.id}: stream invocation '${message.target}' dropped.`);
        return;
      case MessageType.Invocation:
        if (this.onInvocation !== undefined) return this.onInvocation(message);
        // Serverless mode with no upstream: the service "disconnects any client that sends
        // messages" (docs/signalr-service.md, "Serverless mode"); invoke() then rejects.
        this.log.info(
          `connection ${this.id}: invoked '${message.target}' in serverless mode; closing.`,
        );
        return this.close(
          `Invocation of '${message.target}' is not supported: this hub is in serverless mode with no upstream configured.`,
        );
      case MessageType.Close:
        this.markClosed();
        this.transport.close();
        return;
      case MessageType.Ping:
      case MessageType.StreamItem:
      case MessageType.CancelInvocation:
      case MessageType.Completion:
        return;
    }
  }
}
