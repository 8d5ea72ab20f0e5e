import type { Page } from 'playwright-core';
import { accessibilityViolations, sendOnPage, useBrowserStack } from '../../support/browser';
import { postMessage, signIn } from '../../support/chatClients';
import { faults } from '../../support/faults';

/**
 * Rooms, typing and the everyday chat in Chromium: rooms with unread counts and the tab title,
 * typing, links, days and groups, dark mode, a phone-sized screen, the keyboard, and a
 * connection state that tells the truth; axe finds nothing in any of them.
 */
jest.setTimeout(120_000);

const ROOM = 'Ngọc Ánh 🎉';

describe('rooms and the everyday chat, in a browser', () => {
  const suite = useBrowserStack({ settings: { ChatSendsPerMinute: '0' } });
  const { open } = suite;
  let fang: Page;
  let bob: Page;

  const roomButton = (page: Page, room: string) =>
    page.locator('.rooms .room', { has: page.locator('.room-name', { hasText: room }) });

  beforeAll(async () => {
    fang = await open('王芳');
    bob = await open('bob');
  });

  it('lands in general with the message box focused, and general first in the room list', async () => {
    expect(await fang.evaluate('document.activeElement && document.activeElement.id')).toBe(
      'draft',
    );
    await roomButton(fang, 'general').waitFor();
    expect(await fang.locator('#room-heading').textContent()).toBe('general');
  });

  it('joins a room by name, talks in it, and counts unread messages in the list and the title', async () => {
    await fang.getByLabel('Join or create a room').fill(ROOM);
    await fang.getByRole('button', { name: 'Join', exact: true }).click();
    await fang.locator('#room-heading', { hasText: ROOM }).waitFor();
    await bob.getByLabel('Join or create a room').fill(ROOM);
    await bob.getByRole('button', { name: 'Join', exact: true }).click();
    await bob.locator('#room-heading', { hasText: ROOM }).waitFor();
    // 王芳 goes back to general; bob writes in the room.
    await roomButton(fang, 'general').click();
    await sendOnPage(bob, 'only for the room');
    await roomButton(fang, ROOM).locator('.unread', { hasText: '1' }).waitFor();
    await expect(fang.title()).resolves.toBe('(1) Serverless Chat');
    expect(await fang.locator('.message', { hasText: 'only for the room' }).count()).toBe(0);
    await roomButton(fang, ROOM).click();
    await fang.locator('.message', { hasText: 'only for the room' }).waitFor();
    await expect(fang.title()).resolves.toBe('Serverless Chat');
    expect(await roomButton(fang, ROOM).locator('.unread').count()).toBe(0);
  });

  it("shows who is typing in the room, to the room's others only", async () => {
    const carol = await open('carol');
    await bob.getByLabel('Message', { exact: true }).pressSequentially('typing…', { delay: 20 });
    await fang.getByText('bob is typing…').waitFor();
    // Absence proved by a marker: bob's next message in general reaches carol after anything
    // the service sent her before it, so once she has it, a typing event would have come.
    await postMessage(
      suite.stack.urls.api,
      await signIn(suite.stack.urls.api, 'bob'),
      JSON.stringify({ text: 'marker for carol' }),
    );
    await carol.locator('.message', { hasText: 'marker for carol' }).waitFor();
    expect(await carol.getByText('bob is typing…').count()).toBe(0);
    await bob.getByLabel('Message', { exact: true }).fill('');
  });

  it('makes http and https links clickable and safe, and everything else text', async () => {
    await sendOnPage(bob, 'see https://example.com/a?b=1. and javascript:alert(1) and ftp://x');
    const message = fang.locator('.message', { hasText: 'see https://example.com' });
    await message.waitFor();
    const link = message.locator('a');
    expect(await link.count()).toBe(1);
    expect(await link.getAttribute('href')).toBe('https://example.com/a?b=1');
    expect(await link.getAttribute('rel')).toBe('noopener noreferrer');
    expect(await link.getAttribute('target')).toBe('_blank');
    expect(await message.locator('.text').textContent()).toContain('javascript:alert(1)');
  });

  it('separates days, groups one sender’s run, and keeps sender names out of the tab order', async () => {
    await sendOnPage(bob, 'first of a run');
    await sendOnPage(bob, 'second of a run');
    const second = fang.locator('.message', { hasText: 'second of a run' });
    await second.waitFor();
    expect(await second.getAttribute('class')).toContain('grouped');
    await fang.locator('.day', { hasText: 'Today' }).first().waitFor();
    expect(await fang.locator('.sender').first().getAttribute('tabindex')).toBe('-1');
  });

  it('cancels a private message with Escape', async () => {
    await fang.locator('.online button', { hasText: 'bob' }).click();
    await fang.getByText('Private to').waitFor();
    await fang.getByLabel('Message', { exact: true }).press('Escape');
    expect(await fang.getByText('Private to').count()).toBe(0);
  });

  it('leaves a room: back in general, the room no longer in the list of mine', async () => {
    await roomButton(bob, ROOM).click();
    await bob.getByRole('button', { name: 'Leave room' }).click();
    await bob.locator('#room-heading', { hasText: 'general' }).waitFor();
    await bob.locator('.room.other', { hasText: ROOM }).waitFor();
  });

  it('has nothing for axe to find, in light and dark, on a desktop and a phone', async () => {
    const dark = await open('dara', { width: 1100, height: 700 }, { colorScheme: 'dark' });
    const phone = await open(
      'pim',
      { width: 375, height: 740 },
      { isMobile: true, hasTouch: true },
    );
    for (const page of [fang, dark, phone]) expect(await accessibilityViolations(page)).toEqual([]);
    // Dark mode is dark: the page's background is near black.
    const background = (await dark.evaluate(
      'getComputedStyle(document.documentElement).backgroundColor',
    )) as string;
    const [r, g, b] = background.match(/\d+/g)!.map(Number);
    expect(r + g + b).toBeLessThan(120);
  });

  it('fits a phone: one compact header row, rooms in a drawer, tap targets of 44 px', async () => {
    const phone = await open(
      'pia',
      { width: 375, height: 740 },
      { isMobile: true, hasTouch: true },
    );
    const header = await phone.locator('header.bar').boundingBox();
    // One row (it was three, 101 of 740 px): the drawer toggle and sign-out side by side.
    expect(header!.height).toBeLessThan(60);
    const toggle = await phone.getByRole('button', { name: 'Rooms' }).boundingBox();
    const signOut = await phone.getByRole('button', { name: 'Sign out' }).boundingBox();
    expect(Math.abs(toggle!.y - signOut!.y)).toBeLessThan(4);
    expect(await phone.locator('.rooms').isVisible()).toBe(false);
    await phone.getByRole('button', { name: 'Rooms' }).click();
    await roomButton(phone, 'general').waitFor();
    for (const target of [
      phone.getByRole('button', { name: 'Rooms' }),
      phone.getByRole('button', { name: 'Sign out' }),
      roomButton(phone, 'general'),
      phone.getByRole('button', { name: 'Join', exact: true }),
    ]) {
      const box = await target.boundingBox();
      expect(Math.min(box!.width, box!.height)).toBeGreaterThanOrEqual(44);
    }
    await roomButton(phone, 'general').click();
    expect(await phone.locator('.rooms').isVisible()).toBe(false);
  });

  it('says offline within 2 s of the network going, and connected when it is back', async () => {
    const page = await open('nia');
    const context = page.context();
    if (await page.evaluate<boolean>('navigator.onLine')) {
      await context.setOffline(true);
      await page.locator('.status[data-status="offline"]').waitFor({ timeout: 2_000 });
      await context.setOffline(false);
    } else {
      // A machine with no network but loopback (a container, a sandbox): Chromium believes it is
      // offline from the start, so going offline fires nothing. The page connected all the same
      // (open waited for it), and it follows the browser's word when it comes.
      await page.evaluate("window.dispatchEvent(new Event('offline'))");
      await page.locator('.status[data-status="offline"]').waitFor({ timeout: 2_000 });
      await page.evaluate("window.dispatchEvent(new Event('online'))");
    }
    await page.locator('.status[data-status="connected"]').waitFor({ timeout: 20_000 });
  });

  it('asks to sign in again when the session ends while it reconnects, instead of retrying for ever', async () => {
    const page = await open('sam');
    // The session ends elsewhere (sign-out in another tab of the same browser), then the
    // connection drops: the page must notice the 401 rather than say "Reconnecting…" for good.
    await page.evaluate(async (api) => {
      await fetch(`${api}/.auth/logout`, { credentials: 'include', redirect: 'manual' });
    }, suite.stack.urls.api);
    await faults(suite.stack).stopSignalR();
    try {
      await page.getByText('Your sign-in has ended.').waitFor({ timeout: 20_000 });
      await page.locator('.status[data-status="signed-out"]').waitFor();
    } finally {
      await faults(suite.stack).startSignalR();
    }
    // The others reconnect by themselves.
    await fang.locator('.status[data-status="connected"]').waitFor({ timeout: 30_000 });
  });

  it('shows an unreachable API as an error that names it, not as signed out', async () => {
    const context = await suite.browser.newContext();
    suite.keep(context);
    const page = await context.newPage();
    // The browser cannot reach the API at all (refused), as when `func start` is not running.
    await page.route(`${suite.stack.urls.api}/**`, (route) => route.abort('connectionrefused'));
    await page.goto(`${suite.stack.urls.page}/`);
    const alert = page.getByRole('alert');
    await alert.waitFor({ timeout: 10_000 });
    expect(await alert.textContent()).toContain(`Is the API running at ${suite.stack.urls.api}?`);
  });
});
