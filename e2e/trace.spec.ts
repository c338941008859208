import { expect, test, type Page } from '@playwright/test';
import { openDemo, panelShotsBothThemes, showPanel } from './support/playground';

// The trace panel over the demo guest: records drained live from the shared-memory ring, the
// record that ended a 'next hypercall' step highlighted, filters, and break-on-hypercall.

async function openTrace(page: Page) {
  await openDemo(page);
  await showPanel(page, 'Trace');
  const panel = page.locator('[data-panel="trace"]');
  // The guest's boot alone leaves records: hypercalls, binds, upcalls.
  await expect(panel.getByTestId('trace-list')).not.toHaveAttribute('data-rows', '0');
  return panel;
}

test('step to the next hypercall: the trace shows it, highlighted', async ({ page }, info) => {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  const panel = await openTrace(page);
  const status = page.getByTestId('machine-status');
  await page.locator('[data-action="pause"]').click();
  await expect(status).toContainText('paused');

  // Typed while paused: the guest will wake and answer with hypercalls.
  await page.getByTestId('guest-console').click();
  await page.keyboard.type('x');
  await page.keyboard.press('Enter');
  await page.locator('[data-action="step-hypercall"]').click();
  const hit = panel.locator('.trace-row.is-highlighted');
  await expect(hit).toHaveCount(1);
  await expect(hit).toHaveAttribute('data-group', 'hypercall');
  await expect(hit).toBeInViewport();
  // It is the newest hypercall the list holds: nothing ran after it.
  const seq = Number(await hit.getAttribute('data-seq'));
  const last = panel.locator('.trace-row[data-group="hypercall"]').last();
  expect(Number(await last.getAttribute('data-seq'))).toBe(seq);
  // The details show the whole record once it is selected.
  await hit.click();
  await expect(panel.getByTestId('trace-details')).toContainText(`#${seq}`);
  await panelShotsBothThemes(page, info, 'trace', 'trace-step');

  // The next one has a higher number.
  await page.locator('[data-action="step-hypercall"]').click();
  await expect.poll(async () => Number(await panel.locator('.trace-row.is-highlighted').getAttribute('data-seq'))).toBeGreaterThan(seq);
  expect(errors).toEqual([]);
});

test('filters: by hypercall, by kind and by text', async ({ page }) => {
  const panel = await openTrace(page);
  const list = panel.getByTestId('trace-list');
  await page.locator('[data-action="pause"]').click();
  const all = Number(await list.getAttribute('data-rows'));

  await panel.getByLabel('Hypercall').selectOption({ label: 'set_callbacks' });
  await expect(list).toHaveAttribute('data-rows', '1');
  await expect(list.locator('.trace-row')).toContainText('set_callbacks');

  await panel.getByLabel('Hypercall').selectOption({ label: 'any' });
  await expect(list).toHaveAttribute('data-rows', String(all));
  // Only events: every row shown is an event record.
  for (const g of ['Hypercalls', 'Faults', 'Pins', 'Grant maps', 'Domains']) await panel.getByRole('button', { name: g }).click();
  await expect.poll(async () => Number(await list.getAttribute('data-rows'))).toBeLessThan(all);
  await expect(list.locator('.trace-row:not([data-group="event"])')).toHaveCount(0);
  await expect(list.locator('.trace-row[data-group="event"]').first()).toBeVisible();

  for (const g of ['Hypercalls', 'Faults', 'Pins', 'Grant maps', 'Domains']) await panel.getByRole('button', { name: g }).click();
  await panel.getByLabel('Find text in records').fill('evtchn bind');
  await expect.poll(async () => Number(await list.getAttribute('data-rows'))).toBeGreaterThan(0);
  await expect(list.locator('.trace-row').first()).toContainText('evtchn bind');
  await expect(list.locator('.trace-row:not([data-group="event"])')).toHaveCount(0);
});

test('break on a hypercall: the machine pauses when the guest makes it', async ({ page }, info) => {
  const panel = await openTrace(page);
  await panel.getByTestId('trace-break-button').click();
  const menu = panel.getByRole('dialog', { name: 'Break on hypercalls' });
  await menu.getByLabel('event_channel_op', { exact: true }).check();
  await menu.getByRole('button', { name: 'Done' }).click();
  await expect(panel.getByTestId('trace-break-button')).toHaveText('Break on (1)');

  // The demo guest answers a line on its console ring, then notifies domain 0 (EVTCHNOP_send).
  await page.getByTestId('guest-console').click();
  await page.keyboard.type('help');
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('machine-status')).toContainText('paused');
  const hit = panel.locator('.trace-row.is-highlighted');
  await expect(hit).toContainText('event_channel_op');
  await expect(hit).toBeInViewport();
  await panelShotsBothThemes(page, info, 'trace', 'trace-breakpoint');
});
