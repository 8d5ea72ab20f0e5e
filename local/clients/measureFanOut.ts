import type { DeliveryTracker } from './hubClients';

/** One fan-out run's figures. */
export interface FanOutResult {
  readonly clients: number;
  readonly postsPerSecond: number;
  readonly messages: number;
  readonly deliveriesPerSecond: number;
  readonly p50Ms: number;
  readonly p95Ms: number;
  readonly p99Ms: number;
  /** Expected deliveries (messages × clients) that never arrived, plus failed POSTs' share. */
  readonly lost: number;
  /** Deliveries beyond one per client per message. */
  readonly duplicates: number;
  readonly failedPosts: number;
}

export interface FanOutOptions {
  readonly clients: number;
  readonly postsPerSecond: number;
  readonly durationMs: number;
  /** How long to wait after the last POST for stragglers before counting losses. */
  readonly drainMs: number;
  /** Sends one message whose text is `seq N ...`; resolves with the HTTP status. */
  readonly post: (text: string) => Promise<number>;
}

/** Tracks, per message, when it was posted and how many clients still have to receive it. */
export class FanOutTracker implements DeliveryTracker {
  readonly sentAt: Float64Array;
  readonly remaining: Int32Array;
  readonly latencies: number[] = [];
  deliveries = 0;
  duplicates = 0;
  lastDeliveryAt = 0;
  private pendingMessages: number;
  private onAllDelivered: (() => void) | undefined;

  constructor(
    readonly messages: number,
    readonly clients: number,
  ) {
    this.sentAt = new Float64Array(messages);
    this.remaining = new Int32Array(messages).fill(clients);
    this.pendingMessages = messages;
  }

  onDelivery(sequence: number): void {
    const now = performance.now();
    if (sequence < 0 || sequence >= this.messages) return;
    if (this.remaining[sequence] === 0) {
      this.duplicates++;
      return;
    }
    this.deliveries++;
    this.lastDeliveryAt = now;
    if (--this.remaining[sequence] === 0) {
      this.latencies.push(now - this.sentAt[sequence]);
      if (--this.pendingMessages === 0) this.onAllDelivered?.();
    }
  }

  /** Resolves when every message has reached every client, or after `timeoutMs`. */
  waitForAll(timeoutMs: number): Promise<void> {
    if (this.pendingMessages === 0) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, timeoutMs);
      this.onAllDelivered = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }
}

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

/** Posts at a fixed rate (never waiting for a response before the next) and measures delivery. */
export async function measureFanOut(
  tracker: FanOutTracker,
  options: FanOutOptions,
): Promise<FanOutResult> {
  const { messages } = tracker;
  const interval = 1000 / options.postsPerSecond;
  let failedPosts = 0;
  const posts: Promise<void>[] = [];
  const start = performance.now();
  for (let sequence = 0; sequence < messages; sequence++) {
    const due = start + sequence * interval;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((resolve) => setTimeout(resolve, wait));
    tracker.sentAt[sequence] = performance.now();
    posts.push(
      options.post(`seq ${sequence} ${'x'.repeat(40)}`).then(
        (status) => {
          if (status !== 202) failedPosts++;
        },
        () => {
          failedPosts++;
        },
      ),
    );
  }
  await Promise.all(posts);
  await tracker.waitForAll(options.drainMs);
  const elapsedSeconds = (Math.max(tracker.lastDeliveryAt, start) - start) / 1000;
  const sorted = [...tracker.latencies].sort((a, b) => a - b);
  return {
    clients: tracker.clients,
    postsPerSecond: options.postsPerSecond,
    messages,
    deliveriesPerSecond: elapsedSeconds > 0 ? tracker.deliveries / elapsedSeconds : 0,
    p50Ms: percentile(sorted, 50),
    p95Ms: percentile(sorted, 95),
    p99Ms: percentile(sorted, 99),
    lost: messages * tracker.clients - tracker.deliveries,
    duplicates: tracker.duplicates,
    failedPosts,
  };
}
