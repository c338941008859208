import { expect, test, type Page } from '@playwright/test';
import { bootPvos, command } from './support/pvos';

// The page-types panel over the teaching guest: starting a process (`spin`) adds
// its page-table frames, its L3 pinned, to the map and the legend; the frame the
// guest's `ps` names is an L3, pinned, painted as one on the map and mapped by
// the kernel's direct map; killing the process takes them away again.

test.use({ viewport: { width: 1920, height: 1200 } });

/** L3 mfns `ps` lists, by pid. */
async function psL3s(page: Page): Promise<Map<number, number>> {
  const out = await command(page, 'ps');
  return new Map([...out.matchAll(/^\s*(\d+) \w+\s+\d+\s+([0-9a-f]+)\s/gm)].map((m) => [Number(m[1]), parseInt(m[2], 16)]));
}

function legend(page: Page, cls: string) {
  return page.locator(`[data-panel="page-types"] [data-class="${cls}"]`);
}

async function counts(page: Page, cls: string): Promise<{ count: number; pinned: number }> {
  const li = legend(page, cls);
  return { count: Number(await li.getAttribute('data-count')), pinned: Number(await li.getAttribute('data-pinned')) };
}

test('a process’s page-table frames appear, its L3 pinned, and go when it exits', async ({ page }, testInfo) => {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await bootPvos(page);
  await page.getByRole('tab', { name: 'Page types' }).click();
  const panel = page.locator('[data-panel="page-types"]');
  await expect(legend(page, 'l3')).toHaveAttribute('data-pinned', /^[1-9]/);

  const l3Before = await counts(page, 'l3');
  const l2Before = await counts(page, 'l2');
  const l1Before = await counts(page, 'l1');
  const psBefore = await psL3s(page);
  expect(await command(page, 'spin')).toContain('spin: a process now spins in ring 3');

  // Four page-table frames: the L3 (pinned), the L2s for user space and the kernel, the user L1.
  await expect.poll(() => counts(page, 'l3')).toEqual({ count: l3Before.count + 1, pinned: l3Before.pinned + 1 });
  expect((await counts(page, 'l2')).count).toBe(l2Before.count + 2);
  expect((await counts(page, 'l1')).count).toBe(l1Before.count + 1);

  // The guest names the new process's L3; the panel agrees on what that frame is.
  const ps = await psL3s(page);
  const fresh = [...ps].filter(([pid, l3]) => !psBefore.has(pid) && l3 !== 0);
  expect(fresh).toHaveLength(1);
  const [pid, l3] = fresh[0];
  await panel.getByRole('textbox', { name: 'frame', exact: true }).fill(l3.toString(16));
  await panel.getByRole('textbox', { name: 'frame', exact: true }).press('Enter');
  const details = page.getByTestId('pt-details');
  await expect(details).toHaveAttribute('data-mfn', String(l3));
  await expect(page.getByTestId('pt-details-class')).toHaveText('L3');
  await expect(page.getByTestId('pt-details-pinned')).toHaveText('yes');
  // The kernel maps every frame of its memory, page tables read-only.
  await expect(page.getByTestId('pt-mappings')).toContainText(/d\d+: L1 0x[0-9a-f]+ entry \d+ \(RO\)/);

  // On the map: zoomed in, the frame's cell has the L3 colour with the pinned dot in its middle.
  for (let i = 0; i < 4; i++) await panel.getByRole('button', { name: '+' }).click();
  const map = page.getByTestId('pt-map');
  await expect(map).toHaveAttribute('data-cell-px', /^([6-9]|[1-9]\d)$/);
  const l3Colour = await legend(page, 'l3').locator('.pt-swatch').evaluate((el) => getComputedStyle(el).backgroundColor);
  const cell = await map.evaluate((c: HTMLCanvasElement, mfn) => {
    const cols = Number(c.dataset.cols), px = Number(c.dataset.cellPx);
    const x = (mfn % cols) * px, y = Math.floor(mfn / cols) * px;
    const at = (dx: number, dy: number) => {
      const [r, g, b] = c.getContext('2d')!.getImageData(x + dx, y + dy, 1, 1).data;
      return `rgb(${r}, ${g}, ${b})`;
    };
    return { corner: at(0, 0), centre: at(px >> 1, px >> 1) };
  }, l3);
  expect(cell.corner).toBe(l3Colour);
  expect(cell.centre).not.toBe(l3Colour);

  // Clicking that cell selects it too.
  await panel.getByRole('textbox', { name: 'frame', exact: true }).fill('0');
  await panel.getByRole('textbox', { name: 'frame', exact: true }).press('Enter');
  await expect(details).toHaveAttribute('data-mfn', '0');
  const box = await map.evaluate((c: HTMLCanvasElement, mfn) => {
    const cols = Number(c.dataset.cols), px = Number(c.dataset.cellPx), dpr = window.devicePixelRatio;
    return { x: ((mfn % cols) * px + px / 2) / dpr, y: (Math.floor(mfn / cols) * px + px / 2) / dpr };
  }, l3);
  await map.scrollIntoViewIfNeeded();
  await map.click({ position: box });
  await expect(details).toHaveAttribute('data-mfn', String(l3));
  await map.hover({ position: box });
  await expect(panel.getByRole('tooltip')).toHaveText(`0x${l3.toString(16)} · L3 · pinned · pvos (d1)`);

  // The page-table tree from CR3 starts at a pinned L3.
  await expect(page.getByTestId('pt-tree-root')).toHaveAttribute('data-pinned', 'true');
  await page.getByTestId('pt-tree-root').scrollIntoViewIfNeeded();
  await panel.screenshot({ path: testInfo.outputPath('page-types.png') });
  await testInfo.attach('page-types panel', { path: testInfo.outputPath('page-types.png'), contentType: 'image/png' });

  // Killing the process takes its tables away.
  expect(await command(page, `kill ${pid}`)).toContain(`kill: pid ${pid} marked`);
  await expect.poll(() => counts(page, 'l3'), { timeout: 10_000 }).toEqual(l3Before);
  expect(errors).toEqual([]);
});

test('the page-table tree opens level by level, each table typed and the L3 pinned', async ({ page }, testInfo) => {
  await bootPvos(page);
  await page.getByRole('tab', { name: 'Page types' }).click();
  const root = page.getByTestId('pt-tree-root');
  await expect(root).toHaveAttribute('data-pinned', 'true');
  const tree = page.getByRole('tree', { name: 'Page tables from CR3' });
  // L3 slot 3 holds the kernel's L2; open it from the keyboard.
  const slot3 = tree.locator('[role="treeitem"][data-level="3"]').filter({ hasText: '[3]' });
  await expect(slot3).toContainText('L2');
  await slot3.focus();
  await page.keyboard.press('ArrowRight');
  await expect(slot3).toHaveAttribute('aria-expanded', 'true');
  const l1Rows = tree.locator('[role="treeitem"][data-level="2"]');
  await expect(l1Rows.first()).toContainText('L1');
  // Down to the first L1, open it: its rows are pages with flags.
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('ArrowRight');
  const pages = tree.locator('[role="treeitem"][data-level="1"]');
  await expect(pages.first()).toContainText(/R[OW] [US]/);
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('pt-details')).toBeVisible();
  const panel = page.locator('[data-panel="page-types"]');
  await panel.screenshot({ path: testInfo.outputPath('page-tables.png') });
  await testInfo.attach('page-table tree', { path: testInfo.outputPath('page-tables.png'), contentType: 'image/png' });
  // The other theme: the map is repainted in its colours.
  const scheme = await page.evaluate(() => (matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light'));
  const swatch = () => page.locator('[data-panel="page-types"] [data-class="l3"] .pt-swatch').evaluate((el) => getComputedStyle(el).backgroundColor);
  const before = await swatch();
  await page.emulateMedia({ colorScheme: scheme === 'dark' ? 'light' : 'dark' });
  await expect.poll(swatch).not.toBe(before);
  await panel.screenshot({ path: testInfo.outputPath('page-tables-other-theme.png') });
  await testInfo.attach('page-table tree, other theme', { path: testInfo.outputPath('page-tables-other-theme.png'), contentType: 'image/png' });
});
