import { expect, test } from '@playwright/test';

const PANEL_TITLES = ['Console', 'Domain-0', 'Xen console', 'Domains', 'Event channels', 'Grant table', 'Page types', 'CPU', 'Trace'];

test('the server sends cross-origin isolation headers', async ({ request }) => {
  const response = await request.get('/');
  expect(response.ok()).toBe(true);
  expect(response.headers()['cross-origin-opener-policy']).toBe('same-origin');
  expect(response.headers()['cross-origin-embedder-policy']).toMatch(/^(require-corp|credentialless)$/);
});

test('the playground is isolated, shares memory with its worker, and shows its panels', async ({ page }) => {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto('/');

  expect(await page.evaluate(() => crossOriginIsolated)).toBe(true);
  await expect(page.getByTestId('worker-status')).toHaveText('worker ready: 128 MiB shared machine memory');
  // The UI's own check at start-up: it read back a byte the worker stored.
  await expect(page.getByTestId('shared-check')).toHaveAttribute('data-check', 'ok');

  // One more round trip, driven from here.
  const ping = await page.evaluate(async () => {
    // window.pvplay is declared in src/ui/client/useWorkerClient.ts.
    const pvplay = (window as { pvplay?: { ping(): Promise<{ probe: number; readBack: number; rttMs: number }> } }).pvplay;
    if (!pvplay) throw new Error('window.pvplay is missing');
    return pvplay.ping();
  });
  expect(ping.readBack).toBe(ping.probe);
  expect(ping.rttMs).toBeGreaterThanOrEqual(0);
  // One machine, one worker: a second would load the whole core again beside the first.
  expect(page.workers().map((w) => new URL(w.url()).pathname)).toHaveLength(1);

  await expect(page.locator('.toolbar-name')).toHaveText('pvplay');
  for (const title of PANEL_TITLES) {
    await expect(page.locator('.dv-tab').getByText(title, { exact: true })).toHaveCount(1);
  }
  await expect(page.getByTestId('guest-console')).toBeVisible();
  await expect(page.getByTestId('domains-table')).toBeVisible();
  expect(errors).toEqual([]);
});

test('the layout is remembered across reloads', async ({ page }) => {
  await page.goto('/');
  await page.locator('.dv-tab', { hasText: 'Page types' }).click();
  await expect(page.getByRole('heading', { name: 'Page types' })).toBeVisible();
  await expect.poll(() => page.evaluate(() => localStorage.getItem('pvplay.layout.v1'))).toContain('page-types');

  await page.reload();
  await expect(page.getByRole('heading', { name: 'Page types' })).toBeVisible();
  await expect(page.getByRole('heading', { name: 'Event channels' })).toHaveCount(0);

  await page.getByRole('button', { name: 'Reset layout' }).click();
  await expect(page.getByRole('heading', { name: 'Event channels' })).toBeVisible();
});
