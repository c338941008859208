import { expect, test, type Page } from '@playwright/test';
import { panelShot, showPanel } from './support/playground';

// The grant-table panel with two pvos domains: one shares a page with `share`, the other maps
// it with `map`, and the panel shows both sides: the granter's entry (for whom, which frame,
// the GTF_reading/writing the hypervisor sets while mapped, and who maps it) and the mapper's
// maptrack (which domain's ref, where).

const console_ = (page: Page) => page.getByTestId('guest-console').locator('.xterm-rows');

/** Type a line into domain `domid`'s console and wait for `answer`. */
async function shell(page: Page, domid: number, line: string, answer: RegExp | string) {
  await page.getByTestId(`console-tab-${domid}`).click();
  await page.getByTestId('guest-console').click();
  await page.keyboard.type(line);
  await page.keyboard.press('Enter');
  await expect(console_(page)).toContainText(answer, { timeout: 20_000 });
}

test('a page granted by one pvos and mapped by another shows on both sides', async ({ page }, info) => {
  test.setTimeout(90_000);
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.setViewportSize({ width: 1600, height: 1000 });
  await page.goto('/');
  await expect(console_(page)).toContainText('pvos shell on hvc0', { timeout: 20_000 });

  // A second pvos beside the first.
  await page.getByTestId('new-domain').click();
  const dialog = page.getByTestId('new-domain-dialog');
  await dialog.locator('input[value="guests/pvos.elf"]').check();
  await dialog.getByTestId('create-domain').click();
  await expect(page.getByTestId('console-tab-2')).toHaveAttribute('aria-selected', 'true');
  await expect(console_(page)).toContainText('pvos shell on hvc0', { timeout: 20_000 });

  await showPanel(page, 'Grant table');
  const panel = page.locator('[data-panel="grant-table"]');
  await panel.getByRole('tab', { name: /^d1 / }).click();
  const offered = panel.getByTestId('grants-offered');
  // Before: only the toolstack's console and xenstore grants to domain 0.
  await expect(offered.locator('[role="row"][data-ref]')).toHaveCount(2);
  await expect(offered.locator('[data-ref="0"]')).toHaveAttribute('data-to', '0');

  await shell(page, 1, 'share 2', /share: granted frame [0-9a-f]+ to domain 2 as ref 8/);
  const entry = offered.locator('[data-ref="8"]');
  await expect(entry).toHaveAttribute('data-to', '2');
  await expect(entry).toContainText('permit_access');
  await expect(entry).toContainText('not mapped');

  await shell(page, 2, 'map 1', /map: GNTTABOP_map_grant_ref: domain 1 ref 8 -> handle 0 at 0xc[0-9a-f]+/);
  const at = /handle 0 at (0xc[0-9a-f]+)/.exec((await console_(page).textContent()) ?? '')![1]!;

  // The granter's side: the entry names its mapper, and the hypervisor's marks appear.
  await panel.getByRole('tab', { name: /^d1 / }).click();
  await expect(entry).toHaveAttribute('data-mapped-by', '2');
  await expect(entry).toContainText('reading');
  await expect(entry).toContainText(`d2 at 0x${at.slice(2).padStart(8, '0')}`);
  await page.emulateMedia({ colorScheme: 'dark' });
  await panelShot(page, info, 'grant-table', 'grant table: the granter (d1)');

  // The mapper's side: its maptrack names the granter, the ref and where it is mapped.
  await panel.getByRole('tab', { name: /^d2 / }).click();
  const mapped = panel.getByTestId('grants-mapped').locator('[data-granter="1"][data-ref="8"]');
  await expect(mapped).toContainText('d1 ref 8');
  await expect(mapped).toContainText('host_map');
  await expect(panel.getByTestId('grants-summary')).toContainText('1 mapped from others');
  await panelShot(page, info, 'grant-table', 'grant table: the mapper (d2)');
  await page.emulateMedia({ colorScheme: 'light' });
  await panelShot(page, info, 'grant-table', 'grant table: the mapper (d2), light theme');
  expect(errors).toEqual([]);
});
