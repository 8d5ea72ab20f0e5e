import type { TableClient, TransactionAction } from '@azure/data-tables';
import type { ChatMessage } from '../ChatMessage';
import { unavailable } from '../HttpError';
import type { SendLimit } from '../settings';
import { refill, secondsUntil, type Bucket, type BucketRate } from '../TokenBucket';
import { sendLimited, sendRate } from './HistoryStore';
import { getEntityOrUndefined, statusOf, type StorageOptions, type TableAccount } from './tables';

/** The send-limit buckets and client-id claims, per sender. */
const SENDS = 'sends';

/** The bucket row's key in the sender's partition of `sends`. */
const LIMIT_ROW = ':limit';
const ATTEMPTS = 10;
/** A debit written behind its send must be written within this (our choice). */
const DEBIT_DEADLINE_MS = 3_000;
/** Buckets an instance remembers; the oldest is forgotten (and read again when needed). */
const MAX_SENDERS = 10_000;

interface BucketEntity {
  readonly tokens: number;
  readonly at: number;
}

interface SenderView {
  /** The row as last read or written; undefined when there is none yet. */
  remote?: Bucket;
  etag?: string;
  /** Tokens this instance took that are not written yet. */
  pending: number;
  /** Writes for this sender, one after another. */
  tail: Promise<unknown>;
}

/**
 * The per-user send limit, kept in Table Storage so that it holds across instances
 * (docs/storage.md, "Send limit"): per sender, a bucket row (`:limit`) in the sender's partition
 * of `sends`, next to the client-id claims.
 *
 * Each instance keeps its view of the buckets it has seen: the row as it last read or wrote it
 * (with its ETag) and the tokens it has taken since. A send that claims a client id (the page's
 * do) writes the claim and the debit in one transaction, before the message's rows, as the claim
 * already needed its own round trip. A send without one is decided on the view, with no round
 * trip once the instance knows the sender, and its debit is written behind it, one write at a
 * time per sender, taking every debit taken meanwhile: on the message path the limit costs no
 * round trip (`npm run bench`, "send limit"). When another instance changed the row meanwhile
 * (412, or 409 for a row created meanwhile), the row is read again and the debit applied to it:
 * tokens may go below zero, and the sender waits until they are paid back. So one instance never
 * lets a message past the limit; a flood spread over several instances at the same moment can
 * get a message per instance past it before their debits land (milliseconds), and debits not
 * yet written when an instance stops are lost.
 */
export class SendLimiter {
  private readonly views = new Map<string, SenderView>();
  private readonly rate: BucketRate;

  constructor(
    private readonly limit: SendLimit,
    private readonly now: () => number = Date.now,
  ) {
    this.rate = sendRate(limit);
  }

  get enabled(): boolean {
    return this.limit.perMinute > 0;
  }

  private async view(
    sends: TableClient,
    partitionKey: string,
    options: StorageOptions,
  ): Promise<SenderView> {
    let view = this.views.get(partitionKey);
    if (view === undefined) {
      view = { pending: 0, tail: Promise.resolve() };
      await this.read(sends, partitionKey, view, options);
      if (this.views.size >= MAX_SENDERS) this.views.delete(this.views.keys().next().value!);
      this.views.set(partitionKey, view);
    }
    return view;
  }

  private async read(
    sends: TableClient,
    partitionKey: string,
    view: SenderView,
    options: StorageOptions,
  ): Promise<void> {
    const row = await getEntityOrUndefined<BucketEntity>(sends, partitionKey, LIMIT_ROW, options);
    view.remote = row === undefined ? undefined : { tokens: row.tokens, at: row.at };
    view.etag = row?.etag;
  }

  /** The bucket as this instance sees it now: the row, refilled, less what it has taken. */
  private available(view: SenderView, now: number): Bucket {
    const bucket = refill(view.remote, this.rate, now);
    return { tokens: bucket.tokens - view.pending, at: now };
  }

  /** The write of `view.remote` less `taken`, as a transaction action under its ETag. */
  private debit(partitionKey: string, view: SenderView, taken: number, now: number) {
    const bucket = refill(view.remote, this.rate, now);
    const row = { partitionKey, rowKey: LIMIT_ROW, tokens: bucket.tokens - taken, at: now };
    const action: TransactionAction =
      view.etag === undefined ? ['create', row] : ['update', row, 'Replace', { etag: view.etag }];
    return { action, written: { tokens: row.tokens, at: now } };
  }

  /**
   * What a send does before its message is stored, in table `sends`: with a client id, takes a
   * token and claims the id at once (`earlier` is the message a retry of the same id stored
   * before); without, takes a token whose debit `writeDebit` writes behind, once the message's
   * own row is written. Throws 429 when the sender has no token.
   */
  async admit(
    account: TableAccount,
    sender: string,
    message: ChatMessage,
    clientId: string | undefined,
  ): Promise<{ earlier?: ChatMessage; writeDebit: () => void }> {
    if (clientId !== undefined) {
      const earlier = await account.run(SENDS, (sends, options) =>
        this.takeWithClaim(sends, sender, clientId, message, options, async () => {
          const claim = await getEntityOrUndefined<{ message: string }>(
            sends,
            sender,
            clientId,
            options,
          );
          return claim === undefined ? undefined : (JSON.parse(claim.message) as ChatMessage);
        }),
      );
      return { earlier, writeDebit: () => {} };
    }
    if (!this.enabled) return { writeDebit: () => {} };
    return {
      writeDebit: await account.run(SENDS, (sends, options) => this.take(sends, sender, options)),
    };
  }

  /**
   * Takes one token for a send that claims no client id, or throws 429 when the sender has none.
   * The debit is written behind: the returned function starts its write (`flush` waits for it).
   * The caller starts it once the message's own row is written, so that row never queues in the
   * store behind its debit (`npm run bench`, "fan-out 100 x 100/s").
   */
  async take(
    sends: TableClient,
    partitionKey: string,
    options: StorageOptions,
  ): Promise<() => void> {
    const view = await this.view(sends, partitionKey, options);
    const now = this.now();
    const bucket = this.available(view, now);
    if (bucket.tokens < 1) throw sendLimited(this.limit, secondsUntil(bucket, this.rate));
    view.pending += 1;
    // Its own deadline: the request's may end before the write starts.
    const write = () =>
      this.writePending(sends, partitionKey, view, {
        abortSignal: AbortSignal.timeout(DEBIT_DEADLINE_MS),
      });
    // Started twice, the second write finds nothing pending and returns.
    return () => {
      view.tail = view.tail.then(write, write).catch(() => undefined);
    };
  }

  /** Resolves when every debit this instance has taken so far is written (or failed). */
  async flush(): Promise<void> {
    await Promise.all([...this.views.values()].map((view) => view.tail));
  }

  /** Writes what this instance has taken and not written, retrying on a changed row. */
  private async writePending(
    sends: TableClient,
    partitionKey: string,
    view: SenderView,
    options: StorageOptions,
  ): Promise<void> {
    for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
      const taken = view.pending;
      if (taken === 0) return;
      const now = this.now();
      const { written } = this.debit(partitionKey, view, taken, now);
      const row = { partitionKey, rowKey: LIMIT_ROW, ...written };
      try {
        // A single-entity write: lighter for the store than a one-action transaction.
        const response =
          view.etag === undefined
            ? await sends.createEntity(row, options)
            : await sends.updateEntity(row, 'Replace', { ...options, etag: view.etag });
        view.remote = written;
        view.etag = response.etag;
        view.pending -= taken;
        return;
      } catch (error) {
        const status = statusOf(error);
        if (status !== 409 && status !== 412) throw error;
        await this.read(sends, partitionKey, view, options);
      }
    }
    throw unavailable(
      'history',
      new Error(`The send limit of one sender kept changing; gave up after ${ATTEMPTS} tries.`),
    );
  }

  /**
   * Takes one token and claims `clientId` for `message` in one transaction, after this
   * sender's other writes. Returns the message stored earlier when the client id was used (no
   * token taken); throws 429 when the sender has no token.
   */
  async takeWithClaim(
    sends: TableClient,
    partitionKey: string,
    clientId: string,
    message: ChatMessage,
    options: StorageOptions,
    findClaim: () => Promise<ChatMessage | undefined>,
  ): Promise<ChatMessage | undefined> {
    const claim: TransactionAction = [
      'create',
      { partitionKey, rowKey: clientId, message: JSON.stringify(message) },
    ];
    if (!this.enabled) {
      try {
        await sends.submitTransaction([claim], options);
        return undefined;
      } catch (error) {
        if (statusOf(error) !== 409) throw error;
        return findClaim();
      }
    }
    const view = await this.view(sends, partitionKey, options);
    const run = async (): Promise<ChatMessage | undefined> => {
      for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
        const now = this.now();
        const bucket = this.available(view, now);
        if (bucket.tokens < 1) {
          const earlier = await findClaim();
          if (earlier !== undefined) return earlier;
          throw sendLimited(this.limit, secondsUntil(bucket, this.rate));
        }
        const taken = view.pending + 1;
        const { action, written } = this.debit(partitionKey, view, taken, now);
        try {
          const response = await sends.submitTransaction([action, claim], options);
          view.remote = written;
          view.etag = response.subResponses[0]?.etag;
          view.pending -= taken - 1;
          return undefined;
        } catch (error) {
          const status = statusOf(error);
          if (status !== 409 && status !== 412) throw error;
          // The claim is taken, or the row changed: see which, and try again.
          const earlier = await findClaim();
          if (earlier !== undefined) return earlier;
          await this.read(sends, partitionKey, view, options);
        }
      }
      throw unavailable(
        'history',
        new Error(`The send limit of one sender kept changing; gave up after ${ATTEMPTS} tries.`),
      );
    };
    const result = view.tail.then(run, run);
    view.tail = result.catch(() => undefined);
    return result;
  }
}
