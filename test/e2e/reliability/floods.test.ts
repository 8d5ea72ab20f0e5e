import { request } from 'node:http';
import type { ChatMessage } from '../../../lib/ChatMessage';
import { DEFAULT_SEND_LIMIT } from '../../../lib/settings';
import { TableHistoryStore } from '../../../lib/storage/TableHistoryStore';
import { TableAccount } from '../../../lib/storage/tables';
import { sharedStack, type SharedStack } from '../../support/sharedStack';
import { Listener, postMessage, signIn } from '../../support/chatClients';

/**
 * One user flooding (issue 17): the per-user send limit holds through the whole path and across
 * function instances; anonymous bodies on the webhook path cost the front door little.
 */
jest.setTimeout(60_000);

describe('floods', () => {
  let stack: SharedStack;
  let bob: Listener;

  beforeAll(async () => {
    stack = sharedStack();
    bob = await Listener.connect(stack.urls.api, await signIn(stack.urls.api, 'bilal'), 'bilal');
  });

  afterAll(async () => {
    await bob?.stop();
  });

  it('accepts a burst from one user, then answers 429 with Retry-After, storing and sending none of the rest', async () => {
    const mallory = await signIn(stack.urls.api, 'max');
    const results = [];
    for (let i = 0; i < DEFAULT_SEND_LIMIT.burst + 15; i++)
      results.push(
        await postMessage(stack.urls.api, mallory, JSON.stringify({ text: `flood ${i}` })),
      );
    const accepted = results.filter((result) => result.status === 202);
    const refused = results.filter((result) => result.status === 429);
    // A token may come back while the flood is posted (one a second).
    expect(accepted.length).toBeGreaterThanOrEqual(DEFAULT_SEND_LIMIT.burst);
    expect(accepted.length).toBeLessThanOrEqual(DEFAULT_SEND_LIMIT.burst + 2);
    expect(accepted.length + refused.length).toBe(results.length);
    expect(refused[0].json).toEqual({
      error: expect.stringMatching(
        /^You are sending faster than 60 messages a minute \(10 at once\); this one was not sent\. Send it again in \d+ s\.$/,
      ),
      code: 'SendLimit',
    });
    const sentinel = await postMessage(
      stack.urls.api,
      await signIn(stack.urls.api, 'alma'),
      JSON.stringify({ text: 'after the flood' }),
    );
    expect(sentinel.status).toBe(202);
    await bob.waitForText('after the flood');
    const delivered = bob.messages.filter((m) => m.sender === 'max').map((m) => m.text);
    expect(delivered).toEqual(accepted.map((result) => (result.json as ChatMessage).text));
    const history = (await (
      await fetch(`${stack.urls.api}/api/messages?limit=200`, { headers: { Cookie: mallory } })
    ).json()) as { messages: ChatMessage[] };
    expect(history.messages.filter((m) => m.sender === 'max')).toHaveLength(accepted.length);
  });

  it('holds across function instances: a second instance refuses what the first used up', async () => {
    const instance = () =>
      new TableHistoryStore(new TableAccount(stack.storageConnectionString, 'history'), {
        burst: 3,
        perMinute: 1,
      });
    const [first, second] = [instance(), instance()];
    const message = (n: number): ChatMessage => ({
      id: `${Date.now()}${String(n).padStart(12, '0')}`,
      sender: 'trudy',
      text: `instance ${n}`,
      timestamp: new Date().toISOString(),
      isPrivate: false,
    });
    for (let n = 0; n < 3; n++) await first.save(message(n));
    // Debits land behind their sends, within milliseconds (lib/storage/SendLimiter.ts).
    await first.flush();
    await expect(second.save(message(3))).rejects.toMatchObject({ status: 429, code: 'SendLimit' });
    await expect(first.save(message(4))).rejects.toMatchObject({ status: 429 });
  });

  it('reads at most the webhook limit of 100 anonymous 4 MB bodies on the excluded path', async () => {
    const url = new URL(`${stack.urls.api}/runtime/webhooks/signalr`);
    const chunk = Buffer.alloc(64 * 1024, 120);
    const before = process.memoryUsage();
    const post = () =>
      new Promise<number>((resolve) => {
        const req = request(
          { hostname: url.hostname, port: url.port, path: url.pathname, method: 'POST' },
          (res) => {
            res.resume();
            resolve(res.statusCode ?? 0);
          },
        );
        req.on('error', () => resolve(0));
        req.setHeader('Content-Type', 'application/json');
        // Chunked: no length to refuse up front; the front door must cut it while it streams.
        let sent = 0;
        const pump = () => {
          while (sent < 4 * 1024 * 1024) {
            sent += chunk.length;
            if (!req.write(chunk)) return void req.once('drain', pump);
          }
          req.end();
        };
        pump();
      });
    // The peak while the bodies stream in, sampled: what the front door holds at once.
    let peak = 0;
    const sampler = setInterval(() => {
      const now = process.memoryUsage();
      peak = Math.max(peak, now.arrayBuffers + now.heapUsed);
    }, 5);
    const statuses = await Promise.all(Array.from({ length: 100 }, post));
    clearInterval(sampler);
    // The host answers 401 (no system key) or the front door 413; nobody's 4 MB is held.
    expect(statuses.every((status) => status === 401 || status === 413 || status === 0)).toBe(true);
    // 100 bodies of 4 MB held at once would be 400 MB; streamed and cut at 1 MB, far less.
    expect(peak - (before.arrayBuffers + before.heapUsed)).toBeLessThan(100 * 1024 * 1024);
    // A declared length over the limit is refused before a byte of the body is sent.
    const declared = await new Promise<number>((resolve, reject) => {
      const req = request(
        {
          hostname: url.hostname,
          port: url.port,
          path: url.pathname,
          method: 'POST',
          headers: { 'Content-Type': 'application/json', 'Content-Length': 4 * 1024 * 1024 },
        },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
          req.destroy();
        },
      );
      req.on('error', reject);
      req.flushHeaders();
    });
    expect(declared).toBe(413);
  });
});
