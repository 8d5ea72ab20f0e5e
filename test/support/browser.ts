import { readFileSync } from 'node:fs';
import {
  chromium,
  type Browser,
  type BrowserContext,
  type BrowserContextOptions,
  type BrowserServer,
  type Page,
  type ViewportSize,
} from 'playwright-core';
import type { Stack } from '../../local/stack';
import { startTestStack } from './testStack';
import { signIn } from '../../local/clients/signIn';
import { SESSION_COOKIE } from '../../local/frontdoor/sessionCookie';

/**
 * Debian's Chromium as its headless shell (package chromium-headless-shell): the same build of
 * Blink and V8 as the chromium package, without the browser's UI; it is what Playwright runs for
 * headless Chromium by default. A context with a page costs about a third of the CPU the full
 * browser's does, and the browser suites open dozens.
 */
/** Debian's headless shell, or any Chromium named by CHROMIUM_PATH (another system's). */
const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium-headless-shell';

/** Flags for a run with nothing that reaches outside this machine. */
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/**
 * The integration run's one Chromium (test/support/globalSetup.ts launches it as a server):
 * starting a browser is about a second of CPU, and six suites started one each. Each suite's
 * pages live in contexts of their own, which share nothing (cookies, storage, cache).
 */
export const SHARED_BROWSER_VARIABLE = 'CHAT_TEST_BROWSER';

export function launchBrowserServer(): Promise<BrowserServer> {
  return chromium.launchServer({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
}

/**
 * A Browser for a suite: connected to the run's shared Chromium, or one of its own outside
 * jest's integration run. Closing it closes the suite's contexts, never the shared browser.
 */
export function openChromium(): Promise<Browser> {
  const endpoint = process.env[SHARED_BROWSER_VARIABLE];
  return endpoint === undefined
    ? chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS })
    : chromium.connect(endpoint);
}

/**
 * Opens the chat page in a new browser context and signs in as `name` through the local
 * sign-in form, as a person would; resolves when the live connection is up.
 */
export async function signInOnPage(
  browser: Browser,
  pageUrl: string,
  name: string,
  viewport = { width: 900, height: 640 },
  beforeSignIn?: (page: Page) => unknown,
  options: BrowserContextOptions = {},
): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ viewport, ...options });
  const page = await context.newPage();
  await beforeSignIn?.(page);
  await page.goto(`${pageUrl}/`);
  await page.getByText('Sign in to read and send messages.').waitFor();
  await page.getByRole('button', { name: 'Sign in' }).first().click();
  await page.getByLabel('Your name').fill(name);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByTestId('me').filter({ hasText: name }).waitFor();
  await page.locator('.status[data-status="connected"]').waitFor();
  return { context, page };
}

/**
 * The page signed in as `name` without the sign-in form: the session cookie the front door's
 * own form sets (local/clients/signIn.ts) goes into a new browser context, then the page loads;
 * resolves when the live connection is up. For tests of what comes after sign-in (half the time
 * of the form, which signInOnPage goes through and the tests of sign-in use).
 */
export async function openSignedIn(
  browser: Browser,
  urls: { readonly page: string; readonly api: string },
  name: string,
  viewport = { width: 900, height: 640 },
  beforeLoad?: (page: Page) => unknown,
  options: BrowserContextOptions = {},
): Promise<{ context: BrowserContext; page: Page }> {
  const cookie = await signIn(urls.api, name);
  const value = cookie
    .split('; ')
    .find((pair) => pair.startsWith(`${SESSION_COOKIE}=`))
    ?.slice(SESSION_COOKIE.length + 1);
  if (value === undefined) throw new Error(`Signing in as ${name} set no session cookie.`);
  const context = await browser.newContext({ viewport, ...options });
  // The page and the API are one site locally (127.0.0.1), so the defaults (SameSite=Lax, not
  // Secure, which DevTools refuses for an http URL) behave as the front door's cookie does.
  await context.addCookies([{ name: SESSION_COOKIE, value, url: urls.api, httpOnly: true }]);
  const page = await context.newPage();
  await beforeLoad?.(page);
  await page.goto(`${urls.page}/`);
  await page.getByTestId('me').filter({ hasText: name }).waitFor();
  await page.locator('.status[data-status="connected"]').waitFor();
  return { context, page };
}

/** Types a message into the composer and presses Enter. */
export async function sendOnPage(page: Page, text: string): Promise<void> {
  await page.getByLabel('Message', { exact: true }).fill(text);
  await page.getByLabel('Message', { exact: true }).press('Enter');
}

/**
 * axe-core's WCAG 2.x A and AA rules on the page as it is now: the violations, by rule and the
 * elements each names. axe is evaluated through the DevTools protocol, which the page's CSP
 * (script-src 'self') does not govern.
 */
export async function accessibilityViolations(page: Page): Promise<string[]> {
  const source = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
  await page.evaluate(source);
  const violations = await page.evaluate(async () => {
    const axe = (
      globalThis as unknown as {
        axe: {
          run(
            context: unknown,
            options: unknown,
          ): Promise<{ violations: { id: string; nodes: { target: string[] }[] }[] }>;
        };
      }
    ).axe;
    const result = await axe.run((globalThis as unknown as { document: unknown }).document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] },
    });
    return result.violations.map(
      (v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`,
    );
  });
  return violations;
}

/** A browser suite's own stack and Chromium (useBrowserStack). */
export interface BrowserStack {
  readonly stack: Stack;
  readonly browser: Browser;
  /** A page signed in as `name` (openSignedIn), closed with the suite. */
  open(name: string, viewport?: ViewportSize, options?: BrowserContextOptions): Promise<Page>;
  /** Closes a context with the suite. */
  keep(context: BrowserContext): void;
}

/**
 * Starts a stack of the suite's own and Chromium before its tests, and stops both (with every
 * page opened through it) after them.
 */
export function useBrowserStack(options: Parameters<typeof startTestStack>[0] = {}): BrowserStack {
  const contexts: BrowserContext[] = [];
  const current = {
    open: async (
      name: string,
      viewport: ViewportSize = { width: 1100, height: 700 },
      contextOptions: BrowserContextOptions = {},
    ) => {
      const { context, page } = await openSignedIn(
        current.browser,
        current.stack.urls,
        name,
        viewport,
        undefined,
        contextOptions,
      );
      contexts.push(context);
      return page;
    },
    keep: (context: BrowserContext) => void contexts.push(context),
  } as { -readonly [K in keyof BrowserStack]: BrowserStack[K] };
  beforeAll(async () => {
    current.stack = await startTestStack(options);
    current.browser = await openChromium();
  });
  afterAll(async () => {
    for (const context of contexts) await context.close();
    await current.browser?.close();
    await current.stack?.close();
  });
  return current;
}
