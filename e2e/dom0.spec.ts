import { expect, test, type Page } from '@playwright/test';
import { dom0, openDemo, panelShot, showPanel } from './support/playground';

// The Domain-0 terminal: xl and xenstore commands against the running machine.

/** Rows of the Domain-0 terminal whose text matches. */
const row = (page: Page, text: RegExp) => page.getByTestId('dom0-terminal').locator('.xterm-rows > div').filter({ hasText: text });

test('xl list in the Domain-0 terminal shows Domain-0 and the guest', async ({ page }, info) => {
  await openDemo(page);
  await dom0(page, 'xl list');
  const term = page.getByTestId('dom0-terminal').locator('.xterm-rows');
  await expect(term).toContainText('Name');
  await expect(term).toContainText(/Domain-0\s+0\s+0\s+1\s+r-----/);
  await expect(term).toContainText(/demo\s+1\s+\d+\s+1\s+/);
  await panelShot(page, info, 'dom0', 'Domain-0 terminal');
  // The shell keeps its screen while another tab of its group is in front.
  await showPanel(page, 'Xen console');
  await showPanel(page, 'Domain-0');
  await expect(term).toContainText(/Domain-0\s+0\s+0\s+1\s+r-----/);
  // A new terminal (the layout rebuilt) replays the conversation so far.
  await page.getByRole('button', { name: 'Reset layout' }).click();
  await showPanel(page, 'Domain-0');
  await expect(term).toContainText(/Domain-0\s+0\s+0\s+1\s+r-----/);
});

test('history, xl create and xl console, which shows the new domain\'s console', async ({ page }) => {
  await openDemo(page);
  const term = page.getByTestId('dom0-terminal').locator('.xterm-rows');
  // The booted image is /boot/console.elf, with an example config beside it.
  await dom0(page, `xl create /etc/xen/console.cfg 'name="two"'`);
  await expect(term).toContainText('Parsing config from /etc/xen/console.cfg');
  await page.keyboard.type('xl li');
  await page.keyboard.press('Enter');
  await expect(term).toContainText(/two\s+2\s+/);
  // Up recalls the last line.
  await page.keyboard.press('ArrowUp');
  await expect(row(page, /# xl li\s*$/)).toHaveCount(2);
  await page.keyboard.press('Control+U');
  await page.keyboard.type('xl console two');
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('console-tab-2')).toHaveAttribute('aria-selected', 'true');
  await expect(page.getByTestId('console-state')).toContainText('two (d2)');
  await expect(page.getByTestId('guest-console').locator('.xterm-rows')).toContainText('demo>');
});

test('xenstore-watch follows until Ctrl-C', async ({ page }) => {
  await openDemo(page);
  const term = page.getByTestId('dom0-terminal').locator('.xterm-rows');
  await dom0(page, 'xenstore-watch /local/domain/1/data');
  await expect(term).toContainText('/local/domain/1/data');
  await page.keyboard.press('Control+C');
  await page.keyboard.type('xenstore-write /local/domain/1/data/k v');
  await page.keyboard.press('Enter');
  await page.keyboard.type('xenstore-read /local/domain/1/data/k');
  await page.keyboard.press('Enter');
  await expect(row(page, /^v\s*$/)).toHaveCount(1);
});
