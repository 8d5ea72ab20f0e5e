import { createServer, type Server } from 'node:http';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { closeServer, listen } from '../../../local/httpServer';
import { sharedStack, type SharedStack } from '../../support/sharedStack';
import { Listener, signIn } from '../../support/chatClients';
import { openChromium, openSignedIn, sendOnPage, signInOnPage } from '../../support/browser';

/**
 * The page and the API under attack from a real browser (docs/security.md): another site's
 * page posting as the signed-in victim, the page's CSP, long names and bidi tricks.
 */
jest.setTimeout(90_000);

/** A page that, once loaded, posts to the API as whoever is signed in, three ways. */
function attackerPage(api: string): string {
  return `<!doctype html><html><body>
<form id="form" method="post" action="${api}/api/messages" enctype="text/plain" target="sink">
<input name='{"text":"forged by form","x":"' value='"}'></form>
<iframe name="sink"></iframe>
<script>
window.attack = async () => {
  const body = JSON.stringify({ text: 'forged by fetch' });
  await fetch('${api}/api/messages', { method: 'POST', mode: 'no-cors', credentials: 'include',
    headers: { 'Content-Type': 'text/plain' }, body }).catch(() => {});
  await fetch('${api}/api/messages', { method: 'POST', credentials: 'include',
    headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ text: 'forged by json' }) }).catch(() => {});
  document.getElementById('form').submit();
  await new Promise((resolve) => document.querySelector('iframe').onload = resolve);
};
</script></body></html>`;
}

describe('the page under attack', () => {
  let stack: SharedStack;
  let browser: Browser;
  let attacker: Server;
  let attackerPort: number;
  const contexts: BrowserContext[] = [];
  const cspViolations: string[] = [];
  let victim: Page;

  beforeAll(async () => {
    stack = sharedStack();
    attacker = createServer((_req, res) =>
      res.writeHead(200, { 'Content-Type': 'text/html' }).end(attackerPage(stack.urls.api)),
    );
    attackerPort = await listen(attacker, 0);
    browser = await openChromium();
    const signedIn = await openSignedIn(browser, stack.urls, 'aiko', undefined, (page) =>
      page.on('console', (message) => {
        if (/Content Security Policy/i.test(message.text())) cspViolations.push(message.text());
      }),
    );
    contexts.push(signedIn.context);
    victim = signedIn.page;
  });

  afterAll(async () => {
    for (const context of contexts) await context.close();
    await browser?.close();
    await closeServer(attacker);
  });

  it.each([
    ['another port of the same host (same site)', () => `http://127.0.0.1:${attackerPort}/`],
    ['another site', () => `http://localhost:${attackerPort}/`],
  ])('lets a page on %s post nothing as the victim', async (_label, url) => {
    const bob = await Listener.connect(stack.urls.api, await signIn(stack.urls.api, 'bao'), 'bao');
    try {
      const page = await victim.context().newPage();
      await page.goto(url());
      await page.evaluate('window.attack()');
      await page.close();
      await sendOnPage(victim, `control after ${url()}`);
      await bob.waitForText(`control after ${url()}`);
      // The stack is shared: only the victim's messages are this test's (a forged one is hers too).
      expect(bob.messages.filter((m) => m.sender === 'aiko').map((m) => m.text)).toEqual([
        `control after ${url()}`,
      ]);
    } finally {
      await bob.stop();
    }
  });

  it('runs under a CSP with no inline script and no eval, and violates none of it', async () => {
    const response = await fetch(`${stack.urls.page}/`);
    const policy = response.headers.get('content-security-policy') ?? '';
    expect(policy).toContain("script-src 'self'");
    expect(policy).toContain("frame-ancestors 'none'");
    expect(policy).toContain(`connect-src 'self' ${stack.urls.api}`);
    expect(policy).not.toMatch(/unsafe-(inline|eval)/);
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    await sendOnPage(victim, 'under csp');
    await victim.locator('.message', { hasText: 'under csp' }).waitFor();
    expect(cspViolations).toEqual([]);
  });

  it('wraps a long name and a long word inside the bubble at 375 px', async () => {
    const name = 'W'.repeat(64);
    const { context, page } = await openSignedIn(browser, stack.urls, name, {
      width: 375,
      height: 700,
    });
    contexts.push(context);
    await sendOnPage(page, 'x'.repeat(400));
    const bubble = page.locator('.message', { hasText: 'xxxx' });
    await bubble.waitFor();
    const box = (await bubble.boundingBox())!;
    expect(box.x + box.width).toBeLessThanOrEqual(375);
    expect(await page.evaluate<number>('document.documentElement.scrollWidth')).toBeLessThanOrEqual(
      375,
    );
    for (const selector of ['.sender', '.text']) {
      const inner = (await bubble.locator(selector).boundingBox())!;
      expect(inner.x + inner.width).toBeLessThanOrEqual(box.x + box.width);
    }
  });

  it('signs in, shows and sends under a name outside Latin-1', async () => {
    const { context, page } = await signInOnPage(browser, stack.urls.page, '王芳 🦊');
    contexts.push(context);
    await sendOnPage(page, 'добрый день');
    const mine = victim.locator('.message', { hasText: 'добрый день' });
    await mine.waitFor();
    expect(await mine.locator('.sender').textContent()).toBe('王芳 🦊');
  });

  it('isolates names and text, so a right-to-left override cannot disguise them', async () => {
    await sendOnPage(victim, 'invoice\u202Efdp.exe');
    const message = victim.locator('.message', { hasText: 'invoice' });
    await message.waitFor();
    for (const selector of ['.sender', '.text']) {
      const element = message.locator(selector);
      expect(await element.getAttribute('dir')).toBe('auto');
      expect(
        await element.evaluate(
          (el) =>
            (
              globalThis as unknown as { getComputedStyle(e: unknown): { unicodeBidi: string } }
            ).getComputedStyle(el).unicodeBidi,
        ),
      ).toBe('isolate');
    }
  });
});
