import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { newSessionKey } from '../../../local/frontdoor/SessionSeal';
import type { Stack } from '../../../local/stack';
import { portsOf, startTestStack } from '../../support/testStack';
import { openChromium, openSignedIn, sendOnPage, signInOnPage } from '../../support/browser';
import { postMessage, signIn as signInByApi } from '../../support/chatClients';
import { faults } from '../../support/faults';

/**
 * The page in Debian's chromium against the offline stack: sign-in, public and private
 * messages, text never run as HTML, sign-out, a dropped socket taken up again (stateful
 * reconnect), reconnect after the SignalR Service restarts.
 */
jest.setTimeout(90_000);

const ARTIFACTS = join(__dirname, '..', '..', '..', 'artifacts');
describe('chat page in a browser', () => {
  let stack: Stack;
  let browser: Browser;
  const contexts: BrowserContext[] = [];
  const pages = new Map<string, Page>();
  /** The key the session cookies are sealed with, kept across a restart as `npm start` keeps it. */
  const sessionKey = newSessionKey();

  async function signIn(name: string): Promise<Page> {
    // alice through the sign-in form, as a person signs in; the others with its cookie.
    const { context, page } =
      name === 'alice'
        ? await signInOnPage(browser, stack.urls.page, name)
        : await openSignedIn(browser, stack.urls, name);
    contexts.push(context);
    pages.set(name, page);
    return page;
  }

  const send = sendOnPage;

  const texts = (page: Page) => page.locator('.message .text').allTextContents();

  beforeAll(async () => {
    stack = await startTestStack({ sessionKey });
    browser = await openChromium();
    await signIn('alice');
    await signIn('bob');
    await signIn('carol');
  });

  afterAll(async () => {
    for (const context of contexts) await context.close();
    await browser?.close();
    await stack?.close();
  });

  it('shows a public message to everyone with its sender', async () => {
    await send(pages.get('alice')!, 'Hello everyone!');
    for (const name of ['alice', 'bob', 'carol']) {
      const message = pages.get(name)!.locator('.message', { hasText: 'Hello everyone!' });
      await message.waitFor();
      await expect(message.locator('.sender').textContent()).resolves.toBe('alice');
    }
  });

  it('delivers a private message to the recipient and the sender only', async () => {
    const alice = pages.get('alice')!;
    const bob = pages.get('bob')!;
    await send(bob, 'Hi alice, bob here');
    await alice.locator('.message', { hasText: 'Hi alice, bob here' }).locator('.sender').click();
    await alice.getByText('Private to bob').waitFor();
    await send(alice, 'Just between us');
    // The sender's name shows once, as the sender; the badge says only "Private".
    const received = bob.locator('.message.private', { hasText: 'Just between us' });
    await received.locator('.badge', { hasText: /^Private$/ }).waitFor();
    expect(await received.getByText('alice', { exact: true }).count()).toBe(1);
    await alice
      .locator('.message.private', { hasText: 'Just between us' })
      .getByText('Private · to bob')
      .waitFor();
    // Carol sees the next public message but never the private one before it.
    await alice.getByRole('button', { name: 'Cancel private message' }).click();
    await send(alice, 'Back to everyone');
    const carol = pages.get('carol')!;
    await carol.locator('.message', { hasText: 'Back to everyone' }).waitFor();
    expect(await texts(carol)).not.toContain('Just between us');
  });

  it('shows HTML and script as text and runs nothing', async () => {
    const alice = pages.get('alice')!;
    const bob = pages.get('bob')!;
    const payload = '<img src=x onerror="window.__pwned=1"><script>window.__pwned=1</script>';
    await send(alice, payload);
    await bob.locator('.message .text', { hasText: '<img src=x' }).waitFor();
    expect(await texts(bob)).toContain(payload);
    expect(await bob.locator('.messages img, .messages script').count()).toBe(0);
    expect(
      await bob.evaluate(() => (globalThis as unknown as { __pwned?: number }).__pwned),
    ).toBeUndefined();
  });

  it('sends a message typed while the one before it is still on its way, in order', async () => {
    const bob = pages.get('bob')!;
    // The first POST is held in the browser until the second message has been typed and sent.
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let first = true;
    await bob.route('**/api/messages', async (route) => {
      if (route.request().method() === 'POST' && first) {
        first = false;
        await held;
      }
      await route.continue();
    });
    try {
      await send(bob, 'one on its way');
      await bob.getByRole('button', { name: 'Sending…' }).waitFor();
      await send(bob, 'typed meanwhile');
      release();
      const alice = pages.get('alice')!;
      await alice.locator('.message', { hasText: 'typed meanwhile' }).waitFor();
      const shown = await texts(alice);
      expect(shown.indexOf('one on its way')).toBeGreaterThanOrEqual(0);
      expect(shown.indexOf('one on its way')).toBeLessThan(shown.indexOf('typed meanwhile'));
      await expect(bob.getByLabel('Message', { exact: true }).inputValue()).resolves.toBe('');
    } finally {
      release();
      await bob.unroute('**/api/messages');
    }
  });

  it('counts characters near the limit, and keeps an over-long draft instead of sending it', async () => {
    const carol = pages.get('carol')!;
    const box = carol.getByLabel('Message', { exact: true });
    await box.fill('x'.repeat(1_799));
    expect(await carol.getByTestId('counter').count()).toBe(0);
    // Code points, as the server counts: 1,850 emoji are 3,700 UTF-16 units.
    await box.fill('🎉'.repeat(1_850));
    await expect(carol.getByTestId('counter').textContent()).resolves.toContain('1850 / 2000');
    const tooLong = 'x'.repeat(2_001);
    await box.fill(tooLong);
    await carol.locator('[data-testid="counter"].over').waitFor();
    expect(await carol.getByRole('button', { name: 'Send' }).isDisabled()).toBe(true);
    await box.press('Enter');
    expect(await box.inputValue()).toBe(tooLong);
    await box.fill('');
  });

  it('rides out a dropped socket with stateful reconnect: every message once, in order, and no "Reconnecting"', async () => {
    const bob = pages.get('bob')!;
    // Every connection status the page shows from now on, in order.
    await bob.evaluate(`(() => {
      const seen = (window.statusesSeen = []);
      const record = () => {
        const status = document.querySelector('.status')?.getAttribute('data-status');
        if (status !== seen.at(-1)) seen.push(status);
      };
      record();
      new MutationObserver(record).observe(document.body, {
        subtree: true, childList: true, attributes: true, attributeFilter: ['data-status'],
      });
    })()`);
    // Sent through the API by a user of their own, so the send limit of the suite's pages
    // cannot refuse one (a refused send would read as a lost message).
    const cookie = await signInByApi(stack.urls.api, 'dropper');
    faults(stack).dropSignalRSockets();
    const during = Array.from({ length: 5 }, (_, i) => `through the drop ${i} 🦊`);
    for (const text of during)
      expect((await postMessage(stack.urls.api, cookie, JSON.stringify({ text }))).status).toBe(
        202,
      );
    await bob.locator('.message', { hasText: 'through the drop 4 🦊' }).waitFor();
    expect((await texts(bob)).filter((text) => text.startsWith('through the drop'))).toEqual(
      during,
    );
    expect(await bob.evaluate('window.statusesSeen')).toEqual(['connected']);
  });

  it('shows reconnecting when the SignalR Service goes away, then receives again when it is back', async () => {
    await faults(stack).stopSignalR();
    for (const name of ['alice', 'bob'])
      await pages
        .get(name)!
        .locator('.status:is([data-status="reconnecting"], [data-status="offline"])')
        .waitFor();
    await faults(stack).startSignalR();
    for (const name of ['alice', 'bob'])
      await pages
        .get(name)!
        .locator('.status[data-status="connected"]')
        .waitFor({ timeout: 30_000 });
    await send(pages.get('alice')!, 'We are back');
    await pages.get('bob')!.locator('.message', { hasText: 'We are back' }).waitFor();
    mkdirSync(ARTIFACTS, { recursive: true });
    await pages.get('bob')!.screenshot({ path: join(ARTIFACTS, 'chat-two-users.png') });
  });

  it('is still signed in after the whole stack restarts, and reconnects by itself', async () => {
    await stack.close();
    stack = await startTestStack({ sessionKey, ports: portsOf(stack) });
    for (const name of ['alice', 'bob'])
      await pages
        .get(name)!
        .locator('.status[data-status="connected"]')
        .waitFor({ timeout: 30_000 });
    await send(pages.get('bob')!, 'Restarted, still here');
    await pages.get('alice')!.locator('.message', { hasText: 'Restarted, still here' }).waitFor();
    await expect(pages.get('alice')!.getByTestId('me').textContent()).resolves.toContain('alice');
  });

  it('returns to the signed-out view after sign-out', async () => {
    const carol = pages.get('carol')!;
    await carol.getByRole('button', { name: 'Sign out' }).click();
    await carol.getByText('Sign in to read and send messages.').waitFor();
    await expect(
      carol.evaluate(
        async (api) => (await fetch(`${api}/.auth/me`, { credentials: 'include' })).status,
        stack.urls.api,
      ),
    ).resolves.toBe(401);
  });

  it('says so when one sends faster than the send limit, and keeps the draft', async () => {
    const flooder = await signIn('flooder');
    // 10 at once, then one a second comes back: on a loaded machine 11 sends may take over a
    // second, so send until refused (sending ten a second or so, well past the refill).
    for (let i = 0; i < 40; i++) {
      await send(flooder, `quick ${i}`);
      await flooder
        .locator('.message', { hasText: `quick ${i}` })
        .or(flooder.getByRole('alert'))
        .first()
        .waitFor();
      if (await flooder.getByRole('alert').count()) break;
    }
    await expect(flooder.getByRole('alert').textContent()).resolves.toMatch(
      /^You are sending faster than 60 messages a minute \(10 at once\); this one was not sent\. Send it again in \d+ s\.$/,
    );
    await expect(flooder.getByLabel('Message', { exact: true }).inputValue()).resolves.toMatch(
      /^quick \d+$/,
    );
  });
});
