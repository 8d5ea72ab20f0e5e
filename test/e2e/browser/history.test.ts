import type { Browser, BrowserContext } from 'playwright-core';
import { createServerToken } from '../../../lib/signalr/tokens';
import { parseConnectionString } from '../../../lib/signalr/ConnectionString';
import type { Stack } from '../../../local/stack';
import { postMessage, signIn } from '../../support/chatClients';
import { startTestStack } from '../../support/testStack';
import { openChromium, openSignedIn } from '../../support/browser';

/** The page with history: the latest on sign-in, earlier pages, and catch-up after a drop. */
jest.setTimeout(90_000);

describe('the page with history', () => {
  let stack: Stack;
  let browser: Browser;
  const contexts: BrowserContext[] = [];
  let alice: string;

  beforeAll(async () => {
    // Measures delivery, not the per-user send limit (its own tests: test/unit/SendMessage,
    // test/e2e/reliability/floods): a few users send far faster than people do.
    stack = await startTestStack({ settings: { ChatSendsPerMinute: '0' } });
    browser = await openChromium();
    alice = await signIn(stack.urls.api, 'alice');
    for (let i = 0; i < 60; i++)
      expect(
        (await postMessage(stack.urls.api, alice, JSON.stringify({ text: `old ${i}` }))).status,
      ).toBe(202);
  });

  afterAll(async () => {
    for (const context of contexts) await context.close();
    await browser?.close();
    await stack?.close();
  });

  const texts = (page: import('playwright-core').Page) =>
    page.locator('.message .text').allTextContents();

  it('shows the latest 50 on sign-in, and earlier ones on request', async () => {
    const { context, page } = await openSignedIn(browser, stack.urls, 'dave');
    contexts.push(context);
    await page.locator('.message', { hasText: 'old 59' }).waitFor();
    expect(await texts(page)).toEqual(Array.from({ length: 50 }, (_, i) => `old ${i + 10}`));
    await page.getByRole('button', { name: 'Load earlier messages' }).click();
    await page.locator('.message', { hasText: 'old 0' }).waitFor();
    expect(await texts(page)).toEqual(Array.from({ length: 60 }, (_, i) => `old ${i}`));
    expect(await page.getByRole('button', { name: 'Load earlier messages' }).count()).toBe(0);
  });

  it('catches up after a drop: every message sent meanwhile, once, in order', async () => {
    const { context, page } = await openSignedIn(browser, stack.urls, 'erin');
    contexts.push(context);
    await page.locator('.message', { hasText: 'old 59' }).waitFor();
    // Drop the page's connection and keep it from reconnecting while others send.
    await page.route('**/api/negotiate**', (route) => route.abort());
    const cs = parseConnectionString(stack.signalRConnectionString);
    const close = `${stack.urls.signalr}/api/hubs/chat/users/erin/:closeConnections?api-version=2022-06-01`;
    const token = createServerToken(cs, close.replace(/:\d+/, ''));
    expect(
      (await fetch(close, { method: 'POST', headers: { Authorization: `Bearer ${token}` } }))
        .status,
    ).toBe(204);
    await page
      .locator('.status:is([data-status="reconnecting"], [data-status="offline"])')
      .waitFor();
    const missed = Array.from({ length: 20 }, (_, i) => `missed ${i}`);
    for (const text of missed)
      expect((await postMessage(stack.urls.api, alice, JSON.stringify({ text }))).status).toBe(202);
    await page.unroute('**/api/negotiate**');
    await page.locator('.status[data-status="connected"]').waitFor({ timeout: 30_000 });
    await page.locator('.message', { hasText: 'missed 19' }).waitFor();
    const shown = await texts(page);
    expect(shown.filter((text) => text.startsWith('missed '))).toEqual(missed);
    expect(new Set(shown).size).toBe(shown.length);
  });
});
