import { HttpError } from './HttpError';
import { BucketMap, type BucketRate } from './TokenBucket';

/**
 * A per-user bound on what reads may make storage do, kept per instance (docs/storage.md, "Read
 * limit"): a request goes ahead only when the user's bucket holds the most it can cost, takes
 * that at once (so reads that arrive together cannot all pass one check), and gets back what it
 * did not use when it is done. So 32 catch-ups of `after=0…0` at once read at most the bucket's
 * capacity of rows, not 32 times a read's, and a loop of them waits for the refill (one Azure
 * table partition serves about 2,000 entities a second: Microsoft Learn, "Scalability and
 * performance targets for Table storage").
 */
export class ReadLimit {
  private readonly buckets: BucketMap;

  constructor(
    private readonly rate: BucketRate,
    private readonly unit: string,
  ) {
    this.buckets = new BucketMap(rate);
  }

  /**
   * Takes `most` (what the read can cost at most) for `user`, or throws 429 `ReadLimit` when the
   * bucket does not hold it; `settle` then gives back what the read did not use.
   */
  reserve(user: string, most: number, now = Date.now()): void {
    const cost = Math.min(most, this.rate.capacity);
    if (this.buckets.tryTake(user, cost, now)) return;
    const seconds = this.buckets.secondsUntil(user, cost, now);
    throw new HttpError(
      429,
      'ReadLimit',
      `You are reading faster than ${this.rate.perSecond} ${this.unit} a second; wait ${seconds} s.`,
      { headers: { 'Retry-After': String(seconds) } },
    );
  }

  /** Gives back what a reserved read did not cost (`reserved` minus `cost`; never more). */
  settle(user: string, reserved: number, cost: number, now = Date.now()): void {
    const unused = Math.min(reserved, this.rate.capacity) - cost;
    if (unused > 0) this.buckets.take(user, -unused, now);
  }
}
