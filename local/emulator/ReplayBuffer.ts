/**
 * One connection's side of stateful reconnect (hub protocol version 2), as ASP.NET Core's
 * `MessageBuffer` keeps it (dotnet/aspnetcore, src/SignalR/common/Shared/MessageBuffer.cs;
 * HubProtocol.md, "Stateful Reconnect"; docs/signalr-service.md, "Stateful reconnect"):
 * - every trackable message sent is numbered from 1 and kept until the client acknowledges it;
 * - trackable messages received are numbered the same way, and one at or below the highest
 *   already processed is a duplicate, skipped;
 * - after a reconnect the service sends a Sequence message (the id of the first message it
 *   replays) and replays what was not acknowledged, and skips what the client sends until the
 *   client's own Sequence message arrives.
 */
export class ReplayBuffer {
  /** Unacknowledged frames, oldest first, from `start`: a queue without a shift per ack. */
  private frames: Array<{
    readonly id: number;
    readonly frame: string | Buffer;
    readonly bytes: number;
  }> = [];
  private start = 0;
  private totalSent = 0;
  private bufferedBytes = 0;
  private nextReceivingId = 1;
  private latestReceivedId = 0;
  private lastAckedId = 0;
  private waitingForSequence = false;

  constructor(
    /** Unacknowledged bytes past which the connection cannot be kept whole. */
    readonly limitBytes: number,
  ) {}

  /** Numbers and keeps a trackable frame; false when the unacknowledged bytes pass the limit. */
  record(frame: string | Buffer): boolean {
    const bytes = typeof frame === 'string' ? Buffer.byteLength(frame) : frame.length;
    this.totalSent += 1;
    this.frames.push({ id: this.totalSent, frame, bytes });
    this.bufferedBytes += bytes;
    return this.bufferedBytes <= this.limitBytes;
  }

  /** The client has everything up to `sequenceId`: those frames are let go. */
  ack(sequenceId: number): void {
    while (this.start < this.frames.length && this.frames[this.start].id <= sequenceId) {
      this.bufferedBytes -= this.frames[this.start].bytes;
      this.start += 1;
    }
    // Compact once the acknowledged head is most of the array.
    if (this.start > 64 && this.start * 2 > this.frames.length) {
      this.frames = this.frames.slice(this.start);
      this.start = 0;
    }
  }

  /** Unacknowledged bytes held. */
  get unacknowledgedBytes(): number {
    return this.bufferedBytes;
  }

  /**
   * Whether a message from the client is to be processed: nothing but a Sequence while one is
   * awaited after a reconnect, and no trackable message twice.
   */
  shouldProcess(trackable: boolean, isSequence: boolean): boolean {
    if (this.waitingForSequence) {
      if (!isSequence) return false;
      this.waitingForSequence = false;
      return true;
    }
    if (!trackable) return true;
    const id = this.nextReceivingId;
    this.nextReceivingId += 1;
    if (id <= this.latestReceivedId) return false;
    this.latestReceivedId = id;
    return true;
  }

  /**
   * The client's Sequence message: the id its next trackable message carries; an error to close
   * with when it claims more than was received.
   */
  resetSequence(sequenceId: number): string | undefined {
    if (sequenceId > this.nextReceivingId)
      return `Sequence ID ${sequenceId} is greater than the number of messages received (${this.nextReceivingId - 1}).`;
    this.nextReceivingId = sequenceId;
    return undefined;
  }

  /**
   * A reconnect: the Sequence id to send first and the frames to send after it, in order; from
   * now on the client's messages wait for its own Sequence.
   */
  resume(): { sequenceId: number; frames: Array<string | Buffer> } {
    this.waitingForSequence = true;
    const pending = this.frames.slice(this.start);
    return {
      sequenceId: pending.length > 0 ? pending[0].id : this.totalSent + 1,
      frames: pending.map((entry) => entry.frame),
    };
  }

  /** The id to acknowledge to the client, when there is news since the last Ack; else undefined. */
  takeAckDue(): number | undefined {
    if (this.latestReceivedId <= this.lastAckedId) return undefined;
    this.lastAckedId = this.latestReceivedId;
    return this.lastAckedId;
  }
}
