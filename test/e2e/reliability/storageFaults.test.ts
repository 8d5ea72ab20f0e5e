import { setTimeout as sleep } from 'node:timers/promises';
import type { Stack } from '../../../local/stack';
import { startTestStack } from '../../support/testStack';
import { Listener, postMessage, signIn } from '../../support/chatClients';
import { faults } from '../../support/faults';

/**
 * Storage that hangs (Azurite frozen with SIGSTOP) and storage that dies: every call answers
 * within its deadline with 503 and Retry-After, naming what is down, and nothing refused is sent
 * later; stopping the stack always finishes (issue 17).
 */
jest.setTimeout(60_000);

/** A request that must be answered: a hang fails the test here, not at jest's timeout. */
const ANSWER_WITHIN_MS = 15_000;

describe('storage faults', () => {
  let stack: Stack;
  let alice: string;
  let bob: Listener;

  beforeAll(async () => {
    stack = await startTestStack({ ownStorage: true });
    alice = await signIn(stack.urls.api, 'alice');
    // Alice has used the chat before: her name is known to hold its look (a new name during the
    // outage gets 503 NamesUnavailable instead, tested in test/unit/negotiate).
    expect((await get('/api/users')).status).toBe(200);
    bob = await Listener.connect(stack.urls.api, await signIn(stack.urls.api, 'bob'), 'bob');
  });

  afterAll(async () => {
    await bob?.stop();
    await stack?.close();
  });

  const get = async (path: string) => {
    const response = await fetch(`${stack.urls.api}${path}`, {
      headers: { Cookie: alice },
      signal: AbortSignal.timeout(ANSWER_WITHIN_MS),
    });
    return {
      status: response.status,
      retryAfter: response.headers.get('retry-after'),
      json: (await response.json()) as { code?: string },
    };
  };

  it('answers POST and both GETs with 503 and Retry-After while storage hangs, and never sends the refused message later', async () => {
    faults(stack).pauseStorage();
    let refused: Awaited<ReturnType<typeof postMessage>>;
    try {
      // All three at once: each waits out the same storage deadline.
      const [answer, history, users] = await Promise.all([
        Promise.race([
          postMessage(
            stack.urls.api,
            alice,
            JSON.stringify({ text: 'refused while storage hung', clientId: 'hung-1' }),
          ),
          // Unref'd: once the race is decided it must not keep jest's process alive for 15 s.
          sleep(ANSWER_WITHIN_MS, undefined, { ref: false }).then(() => {
            throw new Error('POST was not answered');
          }),
        ]),
        get('/api/messages'),
        get('/api/users'),
      ]);
      refused = answer;
      expect(refused.status).toBe(503);
      expect(refused.json).toEqual({
        error:
          'Message history (Table Storage) is unavailable right now; nothing was done. Try again in 5 seconds.',
        code: 'HistoryUnavailable',
      });
      expect(history).toEqual({
        status: 503,
        retryAfter: '5',
        json: expect.objectContaining({ code: 'HistoryUnavailable' }),
      });
      expect(users).toEqual({
        status: 503,
        retryAfter: '5',
        json: expect.objectContaining({ code: 'PresenceUnavailable' }),
      });
    } finally {
      faults(stack).resumeStorage();
    }
    // Whatever the frozen storage does with the abandoned write once it runs again, the function
    // gave up at its deadline: nothing is sent. The sentinel, sent after, arrives; the refused
    // message never does.
    const sentinel = await postMessage(
      stack.urls.api,
      alice,
      JSON.stringify({ text: 'after storage came back' }),
    );
    expect(sentinel.status).toBe(202);
    await bob.waitForText('after storage came back');
    expect(bob.messages.map((m) => m.text)).not.toContain('refused while storage hung');
  });

  it('delivers a retry of the refused message exactly once (same clientId)', async () => {
    const body = JSON.stringify({ text: 'retried after the hang', clientId: 'hung-2' });
    faults(stack).pauseStorage();
    try {
      expect((await postMessage(stack.urls.api, alice, body)).status).toBe(503);
    } finally {
      faults(stack).resumeStorage();
    }
    expect((await postMessage(stack.urls.api, alice, body)).status).toBe(202);
    expect((await postMessage(stack.urls.api, alice, body)).status).toBe(202);
    const after = await postMessage(stack.urls.api, alice, JSON.stringify({ text: 'sentinel 2' }));
    expect(after.status).toBe(202);
    await bob.waitForText('sentinel 2');
    // The second retry is sent again (pages drop a repeated id): same id both times, one message.
    const retried = bob.messages.filter((m) => m.text === 'retried after the hang');
    expect(new Set(retried.map((m) => m.id)).size).toBe(1);
  });
});
