import { expect, test } from '@playwright/test';
import { openDemo } from './support/playground';

// Copy and paste in a guest console: Ctrl+Shift+C copies xterm's selection,
// Ctrl+Shift+V types the clipboard into the guest.

test('copy a word from the console and paste it back in', async ({ page, context }) => {
  await context.grantPermissions(['clipboard-read', 'clipboard-write']);
  await openDemo(page);
  const hvc0 = page.getByTestId('guest-console').locator('.xterm-rows');
  // Double-click selects the word under the pointer: "paravirtualized" in the banner.
  const row = hvc0.locator('> div').filter({ hasText: 'paravirtualized' }).first();
  const box = (await row.boundingBox())!;
  // The word runs from column 4 to 18 of its row; aim at column 10 (a 13 px monospace cell is about 7.8 px wide).
  await page.mouse.dblclick(box.x + 10 * 7.8, box.y + box.height / 2);
  await page.keyboard.press('Control+Shift+C');
  const copied = await page.evaluate(() => navigator.clipboard.readText());
  expect(copied.length).toBeGreaterThan(0);
  expect('a paravirtualized kernel on the Xen x86_32 PAE PV ABI').toContain(copied);
  await page.keyboard.press('Control+Shift+V');
  // The paste reads the clipboard asynchronously: wait for the guest's echo before Enter.
  await expect(hvc0).toContainText(`demo> ${copied}`);
  await page.keyboard.press('Enter');
  await expect(hvc0).toContainText(`you typed: ${copied}`);
});
