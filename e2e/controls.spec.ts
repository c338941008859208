import { expect, test } from '@playwright/test';
import { openDemo, pausedAt, pausedAtNow } from './support/playground';

// Run, pause and step from the toolbar and from the keyboard, on the demo guest.

test('pause holds the machine, step runs exactly the step count, run lets it go', async ({ page }) => {
  await openDemo(page);
  const status = page.getByTestId('machine-status');
  const hvc0 = page.getByTestId('guest-console').locator('.xterm-rows');

  await page.locator('[data-action="pause"]').click();
  await expect(status).toContainText('demo: paused');
  await expect(page.locator('[data-action="run"]')).toBeEnabled();
  const at = await pausedAt(page);

  // Input typed while paused waits in the console ring; the guest wakes when stepped.
  await page.getByTestId('guest-console').click();
  await page.keyboard.type('stepped');
  await page.keyboard.press('Enter');
  await page.getByTestId('step-count').fill('500');
  await page.locator('[data-action="step-instruction"]').click();
  await expect(status).toContainText('stepped on d1v0');
  expect(await pausedAt(page)).toBe(at + 500);
  await expect(hvc0).not.toContainText('you typed: stepped');

  // F10 steps again, from the keyboard, even with the focus in the terminal.
  await page.keyboard.press('F10');
  await expect.poll(() => pausedAtNow(page)).toBe(at + 1000);

  await page.locator('[data-action="run"]').click();
  await expect(hvc0).toContainText('you typed: stepped');
  await expect(status).toContainText('demo: running');

  // F8 toggles: pause, then run.
  await page.keyboard.press('F8');
  await expect(status).toContainText('demo: paused');
  await page.keyboard.press('F8');
  await expect(status).toContainText('demo: running');
});

test('speed: flat out and slow motion, from the toolbar and the keys', async ({ page }) => {
  await openDemo(page);
  const speed = page.getByTestId('speed');
  await speed.selectOption({ label: 'flat out' });
  await expect(page.getByTestId('machine-status')).toContainText('running flat out');
  // '[' and ']' step through the settings while the focus is outside the terminals.
  await page.locator('.toolbar-name').click();
  await page.keyboard.press('[');
  await expect(speed).toHaveValue('4');
  // Key presses go two steps even before the worker confirms the first.
  await page.keyboard.press('[');
  await page.keyboard.press('[');
  await expect(speed).toHaveValue('1');
  await expect(page.getByTestId('machine-status')).not.toContainText('×');
});

test('reset boots the guest again', async ({ page }) => {
  await openDemo(page);
  const hvc0 = page.getByTestId('guest-console').locator('.xterm-rows');
  await page.getByTestId('guest-console').click();
  await page.keyboard.type('before reset');
  await page.keyboard.press('Enter');
  await expect(hvc0).toContainText('you typed: before reset');
  await page.locator('[data-action="reset"]').click();
  await expect(hvc0).not.toContainText('you typed: before reset');
  await expect(hvc0).toContainText('demo>');
});

test('the help overlay explains every panel and lists the keys', async ({ page }, info) => {
  await openDemo(page);
  await page.locator('.toolbar-name').click();
  await page.keyboard.press('?');
  const help = page.getByTestId('help-overlay');
  await expect(help).toBeVisible();
  for (const title of ['Console', 'Domain-0', 'Xen console', 'Domains', 'Event channels', 'Grant table', 'Page types', 'CPU', 'Trace']) {
    await expect(help.locator('dt', { hasText: title }).first()).toBeVisible();
  }
  await expect(help.locator('kbd', { hasText: 'F8' }).first()).toBeVisible();
  await info.attach('help overlay', { body: await help.screenshot(), contentType: 'image/png' });
  await page.keyboard.press('Escape');
  await expect(help).toHaveCount(0);
});

test('the theme switches between dark and light and is remembered', async ({ page }, info) => {
  await openDemo(page);
  const html = page.locator('html');
  await page.locator('[data-action="theme"]').click();
  await expect(html).toHaveAttribute('data-theme', 'dark');
  await info.attach('dark theme', { body: await page.screenshot(), contentType: 'image/png' });
  await page.locator('[data-action="theme"]').click();
  await expect(html).toHaveAttribute('data-theme', 'light');
  await info.attach('light theme', { body: await page.screenshot(), contentType: 'image/png' });
  await page.reload();
  await expect(html).toHaveAttribute('data-theme', 'light');
});

test('Alt+number brings a panel forward with the keyboard in it', async ({ page }) => {
  await openDemo(page);
  await page.locator('.toolbar-name').click();
  await page.keyboard.press('Alt+3');
  await expect(page.getByTestId('xen-console')).toBeVisible();
  await page.keyboard.press('Alt+2');
  // The terminal takes the focus a frame after its panel comes forward; keys typed before would go elsewhere.
  await expect(page.locator('[data-testid="dom0-terminal"] textarea:focus')).toHaveCount(1);
  await page.keyboard.type('xl info');
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('dom0-terminal').locator('.xterm-rows')).toContainText('xen_extra');
  await page.keyboard.press('Alt+1');
  await expect(page.locator('[data-testid="guest-console"] textarea:focus')).toHaveCount(1);
  await page.keyboard.type('typed');
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('guest-console').locator('.xterm-rows')).toContainText('you typed: typed');
});

test('step to the next hypercall and to the next event upcall', async ({ page }) => {
  await openDemo(page);
  const status = page.getByTestId('machine-status');
  await page.keyboard.press('F8');
  await expect(status).toContainText('demo: paused');
  // A keystroke for the guest gives it something to do: an event, then hypercalls.
  await page.getByTestId('guest-console').click();
  await page.keyboard.type('k');
  await page.keyboard.press('Shift+F9');
  await expect(status).toContainText('after an event upcall on d1v0');
  const at = await pausedAt(page);
  await page.locator('[data-action="step-hypercall"]').click();
  await expect(status).toContainText('after a hypercall on d1v0');
  expect(await pausedAt(page)).toBeGreaterThan(at);
  await page.keyboard.press('F8');
  await expect(page.getByTestId('guest-console').locator('.xterm-rows')).toContainText('demo> k');
});
