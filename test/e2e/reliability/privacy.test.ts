import type { Stack } from '../../../local/stack';
import { startTestStack } from '../../support/testStack';
import { Listener, postMessage, signIn } from '../../support/chatClients';

/**
 * under mixed public and private traffic, a private message reaches exactly the
 * recipient's and the sender's connections, never a third user's.
 */
describe('private means private', () => {
  let stack: Stack;
  const users = ['alice', 'bob', 'carol', 'dave'];
  const cookies = new Map<string, string>();
  const tabs: Listener[] = [];

  beforeAll(async () => {
    // Measures delivery, not the per-user send limit (its own tests: test/unit/SendMessage,
    // test/e2e/reliability/floods): a few users send far faster than people do.
    stack = await startTestStack({ settings: { ChatSendsPerMinute: '0' } });
    for (const user of users) {
      cookies.set(user, await signIn(stack.urls.api, user));
      // Two tabs each, so "every connection of the user" is tested, not just one.
      for (let tab = 0; tab < 2; tab++)
        tabs.push(await Listener.connect(stack.urls.api, cookies.get(user)!, `${user}#${tab}`));
    }
  });

  afterAll(async () => {
    await Promise.all(tabs.map((tab) => tab.stop()));
    await stack?.close();
  });

  it('delivers each message to exactly the users it is for, on every tab, once', async () => {
    // A fixed pseudo-random mix, so a failure is reproducible.
    let seed = 42;
    const next = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed % n);
    const sent: { text: string; sender: string; recipient?: string }[] = [];
    for (let i = 0; i < 150; i++) {
      const sender = users[next(users.length)];
      const pick = next(users.length + 2);
      const recipient = pick < users.length ? users[pick] : undefined;
      const text = `m${i} from ${sender}`;
      sent.push({ text, sender, recipient });
      const result = await postMessage(
        stack.urls.api,
        cookies.get(sender),
        JSON.stringify({ text, recipient: recipient ?? null }),
      );
      expect(result.status).toBe(202);
    }
    expect(sent.filter((m) => m.recipient === undefined).length).toBeGreaterThan(10);
    expect(
      sent.filter((m) => m.recipient !== undefined && m.recipient !== m.sender).length,
    ).toBeGreaterThan(30);

    for (const tab of tabs) {
      const user = tab.name.split('#')[0];
      const expected = sent
        .filter((m) => m.recipient === undefined || m.recipient === user || m.sender === user)
        .map((m) => m.text);
      await tab.waitFor((messages) => messages.length >= expected.length);
      // Same order as sent: one sender at a time here, so the whole sequence is ordered.
      expect(tab.messages.map((m) => m.text)).toEqual(expected);
    }
  });
});
