import type { Logger } from '../log';
import { CLIENT_TIMEOUT_MS, HANDSHAKE_TIMEOUT_MS } from './constants';
import {
  HANDSHAKE_OK_FRAME,
  MessageType,
  type HubMessage,
  type InvocationMessage,
  formatRecord,
  isTrackable,
} from '../signalr/hubProtocol';
import { readFrames, readHandshake, type HubProtocolName } from './clientFrames';
import { ReplayBuffer } from './ReplayBuffer';
import { MESSAGEPACK_PROTOCOL, toMessagePack } from './messagePack';
import type { ClientTransport } from './transports';
import { ConnectionState, type ConnectionLimits } from './connectionState';

export { ConnectionState, type ConnectionLimits } from './connectionState';

/** One client connection speaking the JSON or MessagePack hub protocol, over any of the three transports. */
export class ClientConnection {
  state = ConnectionState.Handshaking;
  /** Where hub invocations go when upstream is configured; without it they close the connection. */
  onInvocation?: (message: InvocationMessage) => void;
  readonly openedAt = Date.now();
  /** The hub protocol the handshake chose. */
  protocol: HubProtocolName = 'json';
  lastReceivedAt = Date.now();
  /** Stateful reconnect's numbering and replay, once a version 2 handshake asked for it. */
  private replay?: ReplayBuffer;
  private disconnectedAt = 0;

  constructor(
    readonly id: string,
    /** The hub name, lowercased: hub names compare case-insensitively. */
    readonly hub: string,
    readonly userId: string | undefined,
    private transport: ClientTransport,
    private readonly limits: ConnectionLimits,
    private readonly log: Logger,
    private readonly onConnected: (connection: ClientConnection) => void,
    private readonly onClosed: (connection: ClientConnection) => void,
  ) {
    this.bind(transport);
  }

  /** Handshaken and not closed: its socket may be down for a while (stateful reconnect). */
  private get isOpen(): boolean {
    return this.state === ConnectionState.Connected || this.state === ConnectionState.Disconnected;
  }

  /** Whether the client may come back to this connection on a new WebSocket. */
  get isResumable(): boolean {
    return this.replay !== undefined && this.isOpen;
  }

  /**
   * Writes a frame of the JSON protocol serialised once by the caller (converted for a
   * MessagePack client). A client too far behind is closed instead of buffering without bound;
   * returns false when the frame was neither written nor kept for replay.
   */
  send(frame: string | Buffer, trackable = true): boolean {
    if (!this.isOpen) return false;
    return this.write(
      this.protocol === MESSAGEPACK_PROTOCOL ? toMessagePack(frame) : frame,
      trackable,
    );
  }

  /**
   * Writes bytes already in this connection's own protocol (an upstream's answer to its
   * invocation, which the service passes on as it is: HubProxyHandler.DispatchMessagesAsync).
   */
  sendAsIs(bytes: Buffer): boolean {
    return this.isOpen && this.write(bytes, true);
  }

  /**
   * The client came back on a new WebSocket within the window (stateful reconnect): the old
   * transport goes, the Sequence message and every unacknowledged message go out on the new
   * one, in their order (MessageBuffer.ResendAsync).
   */
  resume(transport: ClientTransport): void {
    const replay = this.replay;
    if (replay === undefined || !this.isResumable) {
      transport.close(1011);
      return;
    }
    const old = this.transport;
    old.onMessage = undefined;
    old.onClose = undefined;
    old.terminate();
    this.bind(transport);
    this.state = ConnectionState.Connected;
    this.lastReceivedAt = Date.now();
    const { sequenceId, frames } = replay.resume();
    const binary = this.protocol === MESSAGEPACK_PROTOCOL;
    const sequence = formatRecord({ type: MessageType.Sequence, sequenceId });
    transport.send(binary ? toMessagePack(sequence) : sequence, binary);
    for (const frame of frames) transport.send(frame, binary);
    this.log.debug(
      `connection ${this.id}: resumed, ${frames.length} message(s) replayed from ${sequenceId}.`,
    );
  }

  /** Sends a Close message, then closes. Safe to call twice. */
  close(error?: string, allowReconnect?: boolean): void {
    if (this.state === ConnectionState.Closed) return;
    const message = {
      type: MessageType.Close,
      ...(error !== undefined && { error }),
      ...(allowReconnect && { allowReconnect: true }),
    };
    if (this.state === ConnectionState.Connected) this.send(formatRecord(message), false);
    this.markClosed();
    this.transport.close();
  }

  terminate(): void {
    this.markClosed();
    this.transport.terminate();
  }

  /**
   * Once a second: closes a connection whose handshake or client has gone quiet for too long,
   * or whose client has not come back within the reconnect window; acknowledges what a stateful
   * client sent since the last Ack (MessageBuffer.RunTimer, every second).
   */
  sweep(now: number): void {
    if (
      this.state === ConnectionState.Disconnected &&
      now - this.disconnectedAt > this.limits.reconnectWindowMs
    ) {
      this.log.info(
        `connection ${this.id}: the client did not come back within ${this.limits.reconnectWindowMs} ms; closed.`,
      );
      this.markClosed();
      return;
    }
    const ackId = this.state === ConnectionState.Connected ? this.replay?.takeAckDue() : undefined;
    if (ackId !== undefined)
      this.send(formatRecord({ type: MessageType.Ack, sequenceId: ackId }), false);
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

  private bind(transport: ClientTransport): void {
    this.transport = transport;
    transport.onMessage = (data, isBinary) => {
      // No frame may stop the service: anything this connection cannot handle closes it alone.
      try {
        this.transportOnMessage(data, isBinary);
      } catch (error) {
        this.log.warn(`connection ${this.id}: closed after an error: ${(error as Error).message}`);
        this.close('The service could not process a message from this connection.');
      }
    };
    transport.onClose = (graceful) => this.transportOnClose(graceful);
    transport.onError = (error) =>
      this.log.debug(`connection ${this.id}: transport error ${error.message}`);
  }

  /** Writes a frame in this connection's protocol, numbering and keeping it when trackable. */
  private write(frame: string | Buffer, trackable: boolean): boolean {
    if (this.replay !== undefined && trackable && !this.replay.record(frame)) {
      this.log.warn(
        `connection ${this.id}: closed, ${this.replay.unacknowledgedBytes} bytes unacknowledged (limit ${this.limits.replayBufferBytes}).`,
      );
      this.close('The client did not acknowledge messages in time.', true);
      return false;
    }
    // Kept for replay: goes out when the client comes back.
    if (this.state === ConnectionState.Disconnected) return true;
    const buffered = this.transport.bufferedBytes();
    if (buffered > this.limits.maxBufferedBytes) {
      this.log.warn(
        `connection ${this.id}: closed, ${buffered} bytes unsent (limit ${this.limits.maxBufferedBytes}); the client is not reading.`,
      );
      this.terminate();
      return false;
    }
    this.transport.send(frame, this.protocol === MESSAGEPACK_PROTOCOL);
    return true;
  }

  private markClosed(): void {
    const wasConnected = this.isOpen;
    this.state = ConnectionState.Closed;
    if (wasConnected) this.onClosed(this);
  }

  /**
   * The transport ended. A stateful connection whose socket dropped without a close frame may
   * come back within the window (HttpConnectionDispatcher: an ungraceful end of a transport that
   * expects a reconnect marks the connection inactive instead of disposing of it).
   */
  private transportOnClose(graceful: boolean | undefined): void {
    const mayComeBack = graceful === false && this.replay !== undefined;
    if (mayComeBack && this.state === ConnectionState.Connected) {
      this.state = ConnectionState.Disconnected;
      this.disconnectedAt = Date.now();
      this.log.debug(
        `connection ${this.id}: socket dropped; kept for ${this.limits.reconnectWindowMs} ms.`,
      );
      return;
    }
    if (this.state !== ConnectionState.Closed)
      this.log.debug(`connection ${this.id}: closed by the client.`);
    this.markClosed();
  }

  private transportOnMessage(data: Buffer, isBinary: boolean): void {
    this.lastReceivedAt = Date.now();
    if (this.state === ConnectionState.Handshaking)
      return this.handleHandshake(data.toString('utf8'));
    if (this.state !== ConnectionState.Connected) return;
    const { messages, error } = readFrames(data, isBinary, this.protocol, this.transport.kind);
    for (const message of messages)
      if (message === undefined)
        this.log.debug(`connection ${this.id}: unknown message type skipped.`);
      else this.handleMessage(message);
    if (error !== undefined) this.close(error);
  }

  private handleHandshake(frame: string): void {
    const handshake = readHandshake(frame, this.transport.kind);
    if ('error' in handshake) return this.refuseHandshake(handshake.error);
    this.protocol = handshake.protocol;
    // A replay buffer only where the client negotiated it and reconnects the same connection:
    // over WebSockets (HubConnectionContext: version 2 and the stateful reconnect feature).
    if (handshake.version === 2 && this.limits.statefulReconnect)
      this.replay = new ReplayBuffer(this.limits.replayBufferBytes);
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
    if (
      this.replay !== undefined &&
      !this.replay.shouldProcess(isTrackable(message.type), message.type === MessageType.Sequence)
    )
      return;
    switch (message.type) {
      case MessageType.Ack:
        this.replay?.ack(message.sequenceId);
        return;
      case MessageType.Sequence: {
        const error = this.replay?.resetSequence(message.sequenceId);
        if (error !== undefined) this.close(error);
        return;
      }
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
