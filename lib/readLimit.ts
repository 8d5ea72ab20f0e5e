import { HttpError } from './HttpError';
import { BucketMap, type BucketRate } from './TokenBucket';

/**
 * A per-user bound on what reads may make storage do, kept per instance (docs/storage.md, "Read
 * limit"): a request goes ahead while the user's bucket is above zero, then pays what it cost,
 * possibly going into debt. So one reader asking for `after=0…0` in a loop gets 429 after the
 * first expensive read until the debt is paid, instead of asking storage for thousands of rows
 * a second (one Azure table partition serves about 2,000 entities a second: Microsoft Learn,
 * "Scalability and performance targets for Table storage").
 */
export class ReadLimit {
  private readonly buckets: BucketMap;

  constructor(
    private readonly rate: BucketRate,
    private readonly unit: string,
  ) {
    this.buckets = new BucketMap(rate);
  }

  /** Throws 429 `ReadLimit` when `user` has nothing left to spend. */
  check(user: string, now = Date.now()): void {
    if (this.buckets.available(user, now).tokens > 0) return;
    const seconds = this.buckets.secondsUntil(user, Number.MIN_VALUE, now);
    throw new HttpError(
      429,
      'ReadLimit',
      `You are reading faster than ${this.rate.perSecond} ${this.unit} a second; wait ${seconds} s.`,
      { headers: { 'Retry-After': String(seconds) } },
    );
  }

  /** Charges what a read cost. */
  charge(user: string, cost: number, now = Date.now()): void {
    this.buckets.take(user, cost, now);
  }
}
