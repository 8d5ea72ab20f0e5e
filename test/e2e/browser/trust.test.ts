import type { Page } from 'playwright-core';
import { signIn } from '../../support/chatClients';
import { accessibilityViolations, sendOnPage, useBrowserStack } from '../../support/browser';

/**
 * What a person sees is what is true, in Chromium: a link shows where it goes, rooms named like
 * JavaScript's built-ins are rooms, the room list is current without a reload, a reload comes
 * back to the room it was in, a look-alike name is told why it cannot chat, and a signed-out
 * visit (on a phone, in dark mode) is clean.
 */
jest.setTimeout(120_000);

describe('the page tells the truth', () => {
  const suite = useBrowserStack({ settings: { ChatSendsPerMinute: '0' } });
  const { open } = suite;
  let ana: Page;

  const roomButton = (page: Page, room: string) =>
    page.locator('.rooms .room', { has: page.locator('.room-name', { hasText: room }) });
  const joinOnPage = async (page: Page, room: string) => {
    await page.getByLabel('Join or create a room').fill(room);
    await page.getByRole('button', { name: 'Join', exact: true }).click();
    await page.locator('#room-heading', { hasText: room }).waitFor();
  };

  /** The local sign-in form, as a person fills it in; the page as it is after. */
  const signInByForm = async (name: string) => {
    const context = await suite.browser.newContext();
    suite.keep(context);
    const page = await context.newPage();
    await page.goto(`${suite.stack.urls.page}/`);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByLabel('Your name').fill(name);
    await page.getByRole('button', { name: 'Sign in' }).click();
    return page;
  };

  beforeAll(async () => {
    ana = await open('Ana');
  });

  it('shows a link as its real target, left to right, whatever bidi controls surround it', async () => {
    await sendOnPage(ana, 'look \u202Ehttps://evil.example/moc.elgoog//:sptth');
    const link = ana.locator('.message .text a.url').last();
    await link.waitFor();
    expect(await link.getAttribute('href')).toBe('https://evil.example/moc.elgoog//:sptth');
    expect(await link.textContent()).toBe('https://evil.example/moc.elgoog//:sptth');
    // As drawn: the first character of the link's text is left of its last, so it reads
    // "https://evil.example/…", not "https://google.com/…" backwards.
    const [first, last] = await ana.evaluate<[number, number]>(`(() => {
      const text = [...document.querySelectorAll('.message .text a.url')].at(-1).firstChild;
      const x = (index) => {
        const range = document.createRange();
        range.setStart(text, index);
        range.setEnd(text, index + 1);
        return range.getBoundingClientRect().x;
      };
      return [x(0), x(text.textContent.length - 1)];
    })()`);
    expect(first).toBeLessThan(last);
  });

  it.each(['constructor', '__proto__', 'toString'])(
    'treats a room named %j as a room: listed by name, opened, written to',
    async (room) => {
      const errors: string[] = [];
      ana.on('pageerror', (error) => errors.push(error.message));
      await joinOnPage(ana, room);
      expect(await roomButton(ana, room).locator('.room-name').textContent()).toBe(room);
      expect(await ana.locator('.rooms').textContent()).not.toContain('native code');
      await sendOnPage(ana, `hello ${room}`);
      await ana.locator('.message', { hasText: `hello ${room}` }).waitFor();
      await roomButton(ana, 'general').click();
      await roomButton(ana, room).click();
      await ana.locator('.message', { hasText: `hello ${room}` }).waitFor();
      expect(errors).toEqual([]);
    },
  );

  it('lists a room someone else created without a reload', async () => {
    const bo = await open('Bo');
    await joinOnPage(ana, 'fresh 🌱');
    await bo.locator('.rooms .room.other', { hasText: 'fresh 🌱' }).waitFor({ timeout: 5_000 });
  });

  it('comes back to the room it was in after a reload', async () => {
    await joinOnPage(ana, 'design');
    await ana.reload();
    await ana.locator('#room-heading', { hasText: 'design' }).waitFor();
    await roomButton(ana, 'general').click();
    await ana.reload();
    await ana.locator('.status[data-status="connected"]').waitFor();
    expect(await ana.locator('#room-heading').textContent()).toBe('general');
  });

  it('has no accessibility violations with a day separator in the list', async () => {
    await ana.locator('.messages .day').first().waitFor();
    expect(await accessibilityViolations(ana)).toEqual([]);
  });

  it('tells a name that looks like a user who came first why it cannot chat', async () => {
    const page = await signInByForm('ANA');
    await page.getByText(/looks the same as "Ana"/).waitFor({ timeout: 10_000 });
    expect(await page.locator('.message').count()).toBe(0);
    expect(await page.locator('.status').getAttribute('data-status')).not.toBe('connected');
  });

  it('refuses an invisible character at sign-in, saying which', async () => {
    const page = await signInByForm('Ana\u200b');
    await page.getByText('U+200B, a character that shows as nothing').waitFor();
  });

  it('loads signed out with one sign-in button, the title, and one console error (App Service answers /.auth/me with 401)', async () => {
    const context = await suite.browser.newContext({ viewport: { width: 375, height: 700 } });
    suite.keep(context);
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error') errors.push(message.text());
    });
    const asked: string[] = [];
    page.on('request', (request) => asked.push(new URL(request.url()).pathname));
    await page.goto(`${suite.stack.urls.page}/`);
    await page.getByText('Sign in to read and send messages.').waitFor();
    expect(await page.getByRole('button', { name: 'Sign in' }).count()).toBe(1);
    expect(await page.getByRole('heading', { name: 'Serverless Chat' }).isVisible()).toBe(true);
    expect(asked.filter((path) => path.startsWith('/api/'))).toEqual([]);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toContain('401');
  });

  it('draws the sign-in page dark when the system is dark', async () => {
    const context = await suite.browser.newContext({ colorScheme: 'dark' });
    suite.keep(context);
    const page = await context.newPage();
    await page.goto(`${suite.stack.urls.api}/.auth/login/aad`);
    const background = await page.evaluate<string>(
      'getComputedStyle(document.body).backgroundColor',
    );
    const [r, g, b] = background.match(/\d+/g)!.map(Number);
    expect(r + g + b).toBeLessThan(3 * 64);
  });

  it('still chats when WebSocket upgrades are refused, over the next transport the client tries', async () => {
    const context = await suite.browser.newContext();
    suite.keep(context);
    // A proxy that refuses WebSockets: every upgrade from this page fails.
    await context.routeWebSocket(/.*/, (ws) => ws.close({ code: 1011, reason: 'refused' }));
    const cookie = /AppServiceAuthSession=([^;]*)/.exec(
      await signIn(suite.stack.urls.api, 'Ngọc Ánh'),
    )![1];
    await context.addCookies([
      { name: 'AppServiceAuthSession', value: cookie, url: suite.stack.urls.api, httpOnly: true },
    ]);
    const page = await context.newPage();
    const transports: string[] = [];
    page.on('request', (request) => {
      if (/\/client\/\?/.test(request.url())) transports.push(request.headers()['accept'] ?? '');
    });
    await page.goto(`${suite.stack.urls.page}/`);
    await page.locator('.status[data-status="connected"]').waitFor({ timeout: 20_000 });
    await sendOnPage(ana, 'heard without WebSockets');
    await page.locator('.message', { hasText: 'heard without WebSockets' }).waitFor();
    expect(transports.some((accept) => accept.includes('text/event-stream'))).toBe(true);
  });
});
