import { openSignedIn, signInOnPage, useBrowserStack } from '../../support/browser';
import { faults } from '../../support/faults';

/** The page lists who is online, live, and a click on a name writes to them privately. */
jest.setTimeout(90_000);

describe('who is online, on the page', () => {
  const suite = useBrowserStack({ ownStorage: true });

  it('shows users as they come and go, and writes to one privately on a click', async () => {
    const alice = await signInOnPage(suite.browser, suite.stack.urls.page, 'alice');
    suite.keep(alice.context);
    const online = alice.page.getByRole('navigation', { name: 'Online' });
    await online.getByRole('button', { name: 'alice' }).waitFor();
    const bob = await openSignedIn(suite.browser, suite.stack.urls, 'bob');
    suite.keep(bob.context);
    await online.getByRole('button', { name: 'bob' }).click();
    await alice.page.getByText('Private to bob').waitFor();
    await bob.context.close();
    await online
      .getByRole('button', { name: 'bob' })
      .waitFor({ state: 'detached', timeout: 30_000 });
    expect(await online.getByRole('button').allTextContents()).toEqual(['alice']);
  });

  it('lists a user whose page connected while storage was down, once storage is back (the page asks again)', async () => {
    const carol = await openSignedIn(suite.browser, suite.stack.urls, 'carol');
    suite.keep(carol.context);
    const online = carol.page.getByRole('navigation', { name: 'Online' });
    await online.getByRole('button', { name: 'carol' }).waitFor();
    await faults(suite.stack).stopStorage();
    let dora;
    try {
      // Her page's clock is the test's: the 5 s it waits before asking again pass at once.
      dora = await openSignedIn(suite.browser, suite.stack.urls, 'dora', undefined, (page) =>
        page.clock.install(),
      );
      suite.keep(dora.context);
    } finally {
      await faults(suite.stack).startStorage();
    }
    // Nobody heard dora arrive; her page asks again when the server said to (Retry-After 5 s)
    // and the server records her connection once the service confirms it.
    const doraOnline = online.getByRole('button', { name: 'dora' });
    for (let second = 0; second < 20 && (await doraOnline.count()) === 0; second++) {
      await dora.page.clock.runFor(1_000);
      await carol.page.waitForTimeout(100);
    }
    await doraOnline.waitFor({ timeout: 10_000 });
    await dora.page
      .getByRole('navigation', { name: 'Online' })
      .getByRole('button', { name: 'dora' })
      .waitFor({ timeout: 20_000 });
  });
});
