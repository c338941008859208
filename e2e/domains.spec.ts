import { expect, test } from '@playwright/test';
import { openDemo, panelShot } from './support/playground';

// The Domains panel: xl list live, lifecycle buttons, and the new-domain dialog.

test('pause, unpause and destroy a domain from the Domains panel', async ({ page }, info) => {
  await openDemo(page);
  const row = page.getByTestId('domain-row-1');
  await expect(row).toContainText('demo');
  await expect(row.getByTestId('xl-state')).toHaveText(/^[r-]b----$/);
  await panelShot(page, info, 'domains', 'Domains panel');

  await row.getByRole('button', { name: 'Pause' }).click();
  await expect(row.getByTestId('xl-state')).toHaveText(/^..p/);
  await row.getByRole('button', { name: 'Unpause' }).click();
  await expect(row.getByTestId('xl-state')).toHaveText(/^..-/);
  await row.getByRole('button', { name: 'Destroy' }).click();
  await expect(row).toHaveCount(0);
  await expect(page.getByTestId('machine-status')).toContainText('stopped');
});

test('the new-domain dialog starts a shipped guest beside the first', async ({ page }, info) => {
  await openDemo(page);
  await page.getByTestId('new-domain').click();
  const dialog = page.getByTestId('new-domain-dialog');
  await expect(dialog).toBeVisible();
  // pvos, the default, is offered first; pick the demo guest.
  await expect(dialog.getByTestId('domain-name')).toHaveValue('pvos');
  await dialog.locator('input[value="guests/console.elf"]').check();
  await expect(dialog.getByTestId('domain-name')).toHaveValue('demo-2');
  await info.attach('new domain dialog', { body: await dialog.screenshot(), contentType: 'image/png' });
  await dialog.getByTestId('create-domain').click();
  await expect(dialog).toHaveCount(0);
  await expect(page.getByTestId('domain-row-2')).toContainText('demo-2');
  await expect(page.getByTestId('console-tab-2')).toHaveAttribute('aria-selected', 'true');
  await expect(page.getByTestId('guest-console').locator('.xterm-rows')).toContainText('demo>');
  await panelShot(page, info, 'console', 'Console with two guests');
});

test('a file that is not a PV kernel is refused with the reason', async ({ page }) => {
  await openDemo(page);
  await page.getByTestId('new-domain').click();
  const dialog = page.getByTestId('new-domain-dialog');
  await dialog.getByTestId('kernel-file').setInputFiles({ name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('not an ELF') });
  await expect(dialog.getByTestId('domain-name')).toHaveValue('notes');
  await dialog.getByTestId('create-domain').click();
  await expect(dialog.getByRole('alert')).toBeVisible();
  await expect(page.getByTestId('domain-row-2')).toHaveCount(0);
});
