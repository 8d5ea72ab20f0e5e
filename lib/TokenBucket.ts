/**
 * A token bucket as plain data, so it can live in a table row as well as in memory: `tokens`
 * as of `at` (ms since the epoch). It refills at `perSecond` up to `capacity`; a request takes
 * what it costs. Tokens may go below zero (a cost known only afterwards, such as rows read):
 * the debt is paid by refilling before anything more is allowed.
 */
export interface Bucket {
  readonly tokens: number;
  readonly at: number;
}

export interface BucketRate {
  readonly capacity: number;
  readonly perSecond: number;
}

/** The bucket as of `now`: refilled for the time passed, never above capacity. */
export function refill(bucket: Bucket | undefined, rate: BucketRate, now: number): Bucket {
  if (bucket === undefined) return { tokens: rate.capacity, at: now };
  // A clock that went back (another instance's) refills nothing rather than taking tokens away.
  const elapsed = Math.max(0, now - bucket.at) / 1000;
  return { tokens: Math.min(rate.capacity, bucket.tokens + elapsed * rate.perSecond), at: now };
}

/** Whole seconds until the bucket holds `cost` tokens again (at least 1). */
export function secondsUntil(bucket: Bucket, rate: BucketRate, cost = 1): number {
  if (rate.perSecond <= 0) return 60;
  return Math.max(1, Math.ceil((cost - bucket.tokens) / rate.perSecond));
}

/**
 * In-memory buckets by key, at most `maxKeys` of them (the oldest forgotten first), for limits
 * kept per instance.
 */
export class BucketMap {
  private readonly buckets = new Map<string, Bucket>();

  constructor(
    private readonly rate: BucketRate,
    private readonly maxKeys = 10_000,
  ) {}

  /** The tokens `key` has now. */
  available(key: string, now = Date.now()): Bucket {
    return refill(this.buckets.get(key), this.rate, now);
  }

  /** Takes `cost` (possibly going into debt) and returns what is left. */
  take(key: string, cost: number, now = Date.now()): Bucket {
    const bucket = this.available(key, now);
    // A refund (a negative cost) never fills the bucket past its capacity.
    const next = { tokens: Math.min(this.rate.capacity, bucket.tokens - cost), at: now };
    this.buckets.delete(key);
    if (this.buckets.size >= this.maxKeys) this.buckets.delete(this.buckets.keys().next().value!);
    this.buckets.set(key, next);
    return next;
  }

  /**
   * Takes `cost` only if `key` holds it now; whether it did. Checking and taking in one call is
   * what keeps calls that arrive together from all passing one check.
   */
  tryTake(key: string, cost: number, now = Date.now()): boolean {
    if (this.available(key, now).tokens < cost) return false;
    this.take(key, cost, now);
    return true;
  }

  /** Whole seconds until `key` holds `cost` tokens. */
  secondsUntil(key: string, cost = 1, now = Date.now()): number {
    return secondsUntil(this.available(key, now), this.rate, cost);
  }
}
