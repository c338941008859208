import { expect, test } from '@playwright/test';

// With ?guest=demo the playground boots the shipped demo guest (public/guests/console.elf);
// its PV console shows in the Console panel's terminal and answers what is typed.

test('the demo guest boots, prints its banner on hvc0, and answers a typed line', async ({ page }, info) => {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  const started = Date.now();
  await page.goto('/?guest=demo');

  const hvc0 = page.getByTestId('guest-console').locator('.xterm-rows');
  await expect(hvc0).toContainText('pvplay demo guest', { timeout: 15_000 });
  await expect(hvc0).toContainText('demo>');
  test.info().annotations.push({ type: 'page load to banner', description: `${Date.now() - started} ms` });
  await expect(page.getByTestId('console-state')).toHaveText('demo (d1) · running');

  await page.getByTestId('guest-console').click();
  await page.keyboard.type('hello');
  await page.keyboard.press('Enter');
  await expect(hvc0).toContainText('you typed: hello');

  // The hypervisor console: the guest's console_io lines, prefixed as Xen does.
  await page.locator('.dv-tab', { hasText: 'Xen console' }).click();
  await expect(page.getByTestId('xen-console').locator('.xterm-rows')).toContainText('(d1) demo: booting');
  await info.attach('Xen console', { body: await page.locator('[data-panel="xen-console"]').screenshot(), contentType: 'image/png' });
  await expect(page.getByTestId('machine-status')).toContainText('demo: running');
  expect(errors).toEqual([]);
});

test('poweroff on the console shuts the guest down', async ({ page }) => {
  await page.goto('/?guest=demo');
  const hvc0 = page.getByTestId('guest-console').locator('.xterm-rows');
  await expect(hvc0).toContainText('demo>', { timeout: 15_000 });
  await page.getByTestId('guest-console').click();
  await page.keyboard.type('poweroff');
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('console-state')).toHaveText('demo (d1) · shut down (poweroff)');
  await expect(page.getByTestId('machine-status')).toHaveText('demo: stopped');
});
