import type { ChatMessage } from '../ChatMessage';
import { HttpError } from '../HttpError';
import type { SendLimit } from '../settings';
import type { BucketRate } from '../TokenBucket';

/**
 * Message history: what SendMessage stores before it sends, and GET /api/messages reads
 * (docs/storage.md, "History"). Two implementations: Table Storage (deployed, and offline on
 * Azurite) and memory (function-level tests).
 */
export interface HistoryStore {
  /**
   * Stores a message before it is sent, so a 202 means "in history". The sender's send limit
   * applies first (429 `SendLimit`, nothing stored). With a `clientId` already used, nothing new
   * is stored and no limit is taken: the message stored for it comes back (`duplicate`), and its
   * rows are written again, so a crash between claim and rows cannot lose it.
   */
  save(message: ChatMessage, clientId?: string): Promise<SaveResult>;
  /**
   * `user`'s history, oldest first: for `general`, its messages and the user's own private
   * ones; for another room, that room's messages (the caller checks membership).
   */
  list(user: string, query: HistoryQuery): Promise<HistoryPage>;
}

export interface SaveResult {
  readonly message: ChatMessage;
  /** True when the client id had been used: `message` is the one stored then. */
  readonly duplicate: boolean;
}

export interface HistoryQuery {
  /** How many of the latest (or of those before `before`). */
  readonly limit: number;
  readonly before?: string;
  /** Everything accepted since, re-reading CATCH_UP_MARGIN_MS before it; capped at MAX_CATCH_UP. */
  readonly after?: string;
  /**
   * The room: `general` (the default) reads the room everyone is in and the caller's own
   * private conversations; another room reads that room's messages only.
   */
  readonly room?: string;
}

export interface HistoryPage {
  readonly messages: ChatMessage[];
  /** Rows this read asked storage for (rows an instance already held are not counted). */
  readonly rowsRead: number;
}

/** Catch-up re-reads this far before `after`, for instances whose clock is slightly behind. */
export const CATCH_UP_MARGIN_MS = 5_000;
/** Most messages one catch-up answers: the newest of them, when more were missed. */
export const MAX_CATCH_UP = 1_000;

/**
 * The most rows one read can ask storage for: a page (or a catch-up) from the room's partition
 * and as many from the caller's private rows.
 */
export function mostRowsRead(query: HistoryQuery): number {
  return 2 * (query.after !== undefined ? MAX_CATCH_UP : query.limit);
}

/** The send limit as a bucket: `burst` at once, `perMinute` sustained. */
export function sendRate(limit: SendLimit): BucketRate {
  return { capacity: limit.burst, perSecond: limit.perMinute / 60 };
}

/** 429 for a sender over the limit: the message was not stored and must be sent again later. */
export function sendLimited(limit: SendLimit, retryAfterSeconds: number): HttpError {
  return new HttpError(
    429,
    'SendLimit',
    `You are sending faster than ${limit.perMinute} messages a minute (${limit.burst} at once); this one was not sent. Send it again in ${retryAfterSeconds} s.`,
    { headers: { 'Retry-After': String(retryAfterSeconds) } },
  );
}
