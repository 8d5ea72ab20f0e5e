import { request, type Agent } from 'node:http';
import { percentile } from '../local/clients/measureFanOut';

/**
 * Open-loop load, as independent page loads arrive: rate x seconds requests at random times,
 * each sent when due whether or not earlier ones were answered.
 * Latency counts from when a request was due, so a late timer or a queue counts against the
 * server (no coordinated omission).
 */
export interface OpenLoopOptions {
  readonly url: string;
  /** Headers for the nth request (to cycle through users, say). */
  readonly headers: (n: number) => Record<string, string>;
  /** A body for the nth request: sent as a POST; without one, a GET. */
  readonly body?: (n: number) => string;
  readonly rate: number;
  readonly seconds: number;
  /** Keep-alive sockets, the caller's: a warm-up run leaves them open for the measured one. */
  readonly agent: Agent;
}

export interface OpenLoopResult {
  readonly sent: number;
  /** 2xx answers (each within ANSWER_TIMEOUT_MS). */
  readonly ok: number;
  /** Other answers and failed requests. */
  readonly failed: number;
  readonly answeredPerSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
}

/** Every request must be answered within this, or it counts as failed. */
const ANSWER_TIMEOUT_MS = 10_000;

export async function measureOpenLoop(options: OpenLoopOptions): Promise<OpenLoopResult> {
  const { agent } = options;
  const latencies: number[] = [];
  const pending: Promise<void>[] = [];
  let failed = 0;
  const send = (n: number, due: number) =>
    new Promise<void>((resolve) => {
      const body = options.body?.(n);
      const req = request(
        options.url,
        {
          agent,
          method: body === undefined ? 'GET' : 'POST',
          headers: {
            ...options.headers(n),
            ...(body !== undefined && {
              'Content-Type': 'application/json',
              'Content-Length': String(Buffer.byteLength(body)),
            }),
          },
          timeout: ANSWER_TIMEOUT_MS,
        },
        (res) => {
          res.resume();
          res.on('end', () => {
            if (res.statusCode !== undefined && res.statusCode < 300)
              latencies.push(performance.now() - due);
            else failed++;
            resolve();
          });
        },
      );
      req.on('timeout', () => req.destroy(new Error('timed out')));
      req.on('error', () => {
        failed++;
        resolve();
      });
      // A Buffer: Node writes the header block with a string body in the body's encoding.
      req.end(body === undefined ? undefined : Buffer.from(body));
    });

  // Exactly rate x seconds arrivals at uniformly random times: a Poisson process of that count.
  const count = Math.round(options.rate * options.seconds);
  const offsets = Array.from({ length: count }, () => Math.random() * options.seconds * 1000).sort(
    (a, b) => a - b,
  );
  const start = performance.now();
  for (const [n, offset] of offsets.entries()) {
    const due = start + offset;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((resolve) => setTimeout(resolve, wait));
    pending.push(send(n, due));
  }
  await Promise.all(pending);
  const sorted = latencies.sort((a, b) => a - b);
  return {
    sent: count,
    ok: latencies.length,
    failed,
    answeredPerSecond: latencies.length / options.seconds,
    p50Ms: percentile(sorted, 50),
    p99Ms: percentile(sorted, 99),
  };
}
