import { expect, test } from '@playwright/test';
import { PLAIN_URL } from '../playwright.config';

// The built site on a host that sends no COOP/COEP headers.

test('the service worker makes the page isolated where the host sends no headers', async ({ page }) => {
  const first = await page.request.get(`${PLAIN_URL}/`);
  expect(first.headers()['cross-origin-opener-policy']).toBeUndefined();

  await page.goto(`${PLAIN_URL}/`);
  // coi-serviceworker registers, then reloads the page once under its control.
  await expect(page.getByTestId('worker-status')).toHaveText('worker ready: 128 MiB shared machine memory', { timeout: 15_000 });
  expect(await page.evaluate(() => crossOriginIsolated)).toBe(true);
  await expect(page.getByTestId('shared-check')).toHaveAttribute('data-check', 'ok');
});

test.describe('without service workers', () => {
  test.use({ serviceWorkers: 'block' });

  test('the page explains why it cannot run instead of going blank', async ({ page }) => {
    await page.goto(`${PLAIN_URL}/`);
    const screen = page.getByTestId('isolation-required');
    await expect(screen).toBeVisible({ timeout: 15_000 });
    await expect(screen).toContainText('SharedArrayBuffer');
    await expect(screen).toContainText('Cross-Origin-Opener-Policy: same-origin');
    expect(await page.evaluate(() => crossOriginIsolated)).toBe(false);
  });
});
