import { join } from 'node:path';
import { sendOnPage, useBrowserStack } from '../../support/browser';

/**
 * The README's screenshots (docs/images/), taken on request: `npm run screenshots`. A stack of
 * its own, so only this conversation's people are online in the pictures. Skipped in `npm test`:
 * what they show is tested in rooms.test.ts; this only takes the pictures.
 */
jest.setTimeout(120_000);

const IMAGES = join(__dirname, '..', '..', '..', 'docs', 'images');
const describeOnRequest = process.env.SCREENSHOTS === '1' ? describe : describe.skip;

describeOnRequest("the README's screenshots", () => {
  const { open } = useBrowserStack();

  it('shows a conversation in a room, on a desktop and a phone', async () => {
    const ana = await open('Ana');
    const bao = await open('Bao');
    const phone = await open(
      'Chi',
      { width: 375, height: 740 },
      { isMobile: true, hasTouch: true },
    );
    for (const page of [ana, bao]) {
      await page.getByLabel('Join or create a room').fill('design');
      await page.getByRole('button', { name: 'Join', exact: true }).click();
      await page.locator('#room-heading', { hasText: 'design' }).waitFor();
    }
    await phone.getByRole('button', { name: 'Rooms' }).click();
    await phone.getByLabel('Join or create a room').fill('design');
    await phone.getByRole('button', { name: 'Join', exact: true }).click();
    await phone.locator('#room-heading', { hasText: 'design' }).waitFor();
    await sendOnPage(ana, 'Morning! The new header is in: https://example.com/mockups/header');
    await sendOnPage(bao, 'Looks good. One row on a phone now?');
    await sendOnPage(bao, 'And the tap targets are 44 px?');
    await sendOnPage(ana, 'Both. Dark mode follows the system too.');
    await ana
      .getByLabel('Message', { exact: true })
      .pressSequentially('Shipping it', { delay: 20 });
    await bao.getByText('Ana is typing…').waitFor();
    await phone.locator('.message', { hasText: 'Dark mode follows' }).waitFor();
    await bao.screenshot({ path: join(IMAGES, 'page-desktop.png') });
    await phone.screenshot({ path: join(IMAGES, 'page-phone.png') });
  });
});
