import { HttpError } from './HttpError';
import { BucketMap, type BucketRate } from './TokenBucket';

/**
 * A per-user bound on an action that changes state or makes others' tabs work (joining and
 * leaving rooms), kept per instance: each action takes a token before anything is read or
 * written, so actions that arrive together cannot all pass one check. Over it: 429 `ActionLimit`
 * with Retry-After, nothing done. Sends have their own limit in Table Storage (SendLimiter.ts);
 * this one is per instance, so a flood spread over N instances gets N times through (each
 * action is still bounded on each).
 */
export class ActionLimit {
  private readonly buckets: BucketMap;

  constructor(
    private readonly rate: BucketRate,
    private readonly what: string,
  ) {
    this.buckets = new BucketMap(rate);
  }

  /** Takes one token for `user`, or throws 429 when there is none. */
  take(user: string, now = Date.now()): void {
    if (this.buckets.tryTake(user, 1, now)) return;
    const seconds = this.buckets.secondsUntil(user, 1, now);
    throw new HttpError(
      429,
      'ActionLimit',
      `You are ${this.what} faster than ${this.rate.capacity} at once and ${Math.round(this.rate.perSecond * 60)} a minute; nothing was done. Try again in ${seconds} s.`,
      { headers: { 'Retry-After': String(seconds) } },
    );
  }
}
