import { expect, test, type Page } from '@playwright/test';
import { openDemo, panelShotsBothThemes, showPanel } from './support/playground';

// The event-channel panel over the demo guest the playground boots: its console and xenstore
// ports to domain 0, their live bits, and an event injected by hand that waits while the port
// is masked and is delivered when it is unmasked.

async function openPanel(page: Page) {
  await openDemo(page);
  await showPanel(page, 'Event channels');
  const panel = page.locator('[data-panel="event-channels"]');
  await expect(panel.getByRole('tab', { name: /d1 demo/ })).toHaveAttribute('aria-selected', 'true');
  return panel;
}

test('an event injected on a masked port stays pending, and is delivered once unmasked', async ({ page }, testInfo) => {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  const panel = await openPanel(page);
  const ports = panel.getByTestId('evtchn-ports');
  const row = ports.locator('[data-port="1"]');
  // The guest's xenstore channel, bound to domain 0's xenstored, notifying vcpu 0.
  await expect(row).toContainText('d0:1');
  await expect(row).toContainText('v0');
  await expect(row).toHaveAttribute('data-pending', 'false');
  await expect(row).toHaveAttribute('data-masked', 'false');
  const vcpu = panel.locator('[data-vcpu="0"]');
  await expect(vcpu).toHaveAttribute('data-upcall-mask', /true|false/);

  await row.getByRole('button', { name: 'Mask port 1' }).click();
  await expect(row).toHaveAttribute('data-masked', 'true');
  await expect(panel.getByTestId('evtchn-summary')).toContainText('1 masked');

  await row.getByRole('button', { name: 'Inject' }).click();
  await expect(row).toHaveAttribute('data-pending', 'true');
  await expect(row.locator('.evt-pending')).toHaveText('P');
  await expect(row.locator('[title="notifications that reached this port"]')).not.toHaveText('0');
  // Masked: the guest's upcall handler cannot take it, however long it runs.
  await page.waitForTimeout(500);
  await expect(row).toHaveAttribute('data-pending', 'true');
  await expect(row).toHaveAttribute('data-delivered', '0');
  await panelShotsBothThemes(page, testInfo, 'event-channels', 'evtchn-pending');

  await row.getByRole('button', { name: 'Unmask port 1' }).click();
  await expect(row).toHaveAttribute('data-masked', 'false');
  await expect(row).toHaveAttribute('data-pending', 'false');
  await expect(row).toHaveAttribute('data-delivered', '1');
  await expect(vcpu).toContainText(/[1-9]\d* upcalls/);
  await panelShotsBothThemes(page, testInfo, 'event-channels', 'evtchn-delivered');
  expect(errors).toEqual([]);
});

test('typing on the console signals the guest: the console port counts and flashes', async ({ page }) => {
  const panel = await openPanel(page);
  // The demo guest's console channel (start_info.console.evtchn) is its port 2.
  const row = panel.getByTestId('evtchn-ports').locator('[data-port="2"]');
  const received = row.locator('[title="notifications that reached this port"]');
  const before = Number(await received.textContent());
  await page.getByTestId('guest-console').click();
  await page.keyboard.type('hi');
  await page.keyboard.press('Enter');
  // Lit for a moment as the event reaches the port and the guest takes it.
  await expect(row.locator('.evt-flash')).toHaveCount(1);
  await expect(page.getByTestId('guest-console').locator('.xterm-rows')).toContainText('you typed: hi');
  await expect.poll(async () => Number(await received.textContent())).toBeGreaterThan(before);
  await expect.poll(async () => Number(await row.getAttribute('data-delivered'))).toBeGreaterThan(0);
});

test('the port table is usable from the keyboard', async ({ page }) => {
  const panel = await openPanel(page);
  // Domain tabs move with the arrow keys.
  await panel.getByRole('tab', { name: /d1 demo/ }).focus();
  await page.keyboard.press('ArrowLeft');
  await expect(panel.getByRole('tab', { name: /d0/ })).toHaveAttribute('aria-selected', 'true');
  await expect(panel.getByRole('tab', { name: /d0/ })).toBeFocused();
  await page.keyboard.press('ArrowRight');
  await expect(panel.getByRole('tab', { name: /d1 demo/ })).toHaveAttribute('aria-selected', 'true');
  // The actions are buttons reached with Tab.
  const mask = panel.getByTestId('evtchn-ports').locator('[data-port="2"]').getByRole('button', { name: 'Mask port 2' });
  await mask.focus();
  await page.keyboard.press('Enter');
  await expect(panel.getByTestId('evtchn-ports').locator('[data-port="2"]')).toHaveAttribute('data-masked', 'true');
});
