import { expect, test } from '@playwright/test';
import { panelShot } from './support/playground';

// The playground boots pvos, the teaching OS, by default; its shell is live on hvc0.

test('pvos boots by default; a command typed into its shell answers', async ({ page }, info) => {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.setViewportSize({ width: 1440, height: 900 });
  await page.goto('/');
  const hvc0 = page.getByTestId('guest-console').locator('.xterm-rows');
  await expect(hvc0).toContainText('pvos shell on hvc0', { timeout: 20_000 });
  await expect(page.getByTestId('console-state')).toHaveText('pvos (d1) · running');
  await page.getByTestId('guest-console').click();
  await page.keyboard.type('ps');
  await page.keyboard.press('Enter');
  await expect(hvc0).toContainText('sh (this shell)');
  await panelShot(page, info, 'console', 'pvos console');
  await expect(page.getByTestId('domain-row-1')).toContainText('pvos');
  expect(errors).toEqual([]);
});
