import { execFileSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, test } from '@playwright/test';

// The main thread stays responsive while a guest runs flat out: a PV kernel that
// makes hypercalls in a loop (guests/bench/hv/hcall.c, built here with the
// guests' Makefile) runs beside the demo guest at full speed, while a
// PerformanceObserver counts long tasks (over 50 ms) on the page. Also quotes
// the time from page load to the guest's shell prompt, and the console echo
// delay under that load.

// Long tasks are wall time: on a host busy with other work the renderer can be
// preempted in the middle of a short task. Two retries absorb that; a long task
// the machine causes shows up on every try and still fails the test.
test.describe.configure({ retries: 2 });

const GUESTS = join(dirname(fileURLToPath(import.meta.url)), '../guests');

test('no long tasks while a guest runs flat out; the console still echoes at once', async ({ page }, info) => {
  test.setTimeout(90_000);
  execFileSync('make', ['-C', GUESTS, 'build/bench/hv/hcall.elf'], { stdio: 'pipe' });
  await page.addInitScript(() => {
    const w = window as unknown as { longTasks: { start: number; duration: number }[] };
    w.longTasks = [];
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) w.longTasks.push({ start: e.startTime, duration: e.duration });
    }).observe({ type: 'longtask', buffered: true });
  });
  await page.setViewportSize({ width: 1440, height: 900 });
  await page.goto('/?guest=demo');
  const hvc0 = page.getByTestId('guest-console').locator('.xterm-rows');
  await expect(hvc0).toContainText('demo>', { timeout: 15_000 });
  const promptMs = await page.evaluate(() => performance.now());
  info.annotations.push({ type: 'page load to shell prompt (demo guest)', description: `${promptMs.toFixed(0)} ms` });

  await page.getByTestId('new-domain').click();
  const dialog = page.getByTestId('new-domain-dialog');
  await dialog.getByTestId('kernel-file').setInputFiles(join(GUESTS, 'build/bench/hv/hcall.elf'));
  await dialog.getByTestId('domain-cmdline').fill('n=30000000');
  await dialog.getByTestId('create-domain').click();
  await expect(page.getByTestId('domain-row-2')).toContainText('hcall');
  await page.getByTestId('speed').selectOption({ label: 'flat out' });

  const hcalls = async () => Number(((await page.getByTestId('domain-row-2').locator('td').nth(6).textContent()) ?? '0').replace(/,/g, ''));
  // First an empty loop of n rounds (the benchmark's baseline), then n hypercalls.
  await expect.poll(hcalls, { timeout: 30_000 }).toBeGreaterThan(10_000);
  const windowStart = await page.evaluate(() => performance.now());
  const before = await hcalls();

  // Echo delay on the demo guest's console while the other guest spins.
  await page.getByTestId('console-tab-1').click();
  await page.getByTestId('guest-console').click();
  // Measured in the page: from the keydown to the first change of the terminal's rows.
  await page.evaluate(() => {
    const w = window as unknown as { echoes: number[]; keyAt: number };
    w.echoes = [];
    w.keyAt = -1;
    window.addEventListener('keydown', () => { w.keyAt = performance.now(); }, true);
    const rows = document.querySelector('[data-testid="guest-console"] .xterm-rows');
    new MutationObserver(() => {
      if (w.keyAt < 0) return;
      w.echoes.push(performance.now() - w.keyAt);
      w.keyAt = -1;
    }).observe(rows!, { childList: true, subtree: true, characterData: true });
  });
  for (const [i, ch] of [...'responsive'].entries()) {
    await page.keyboard.type(ch);
    await expect(hvc0).toContainText(`demo> ${'responsive'.slice(0, i + 1)}`);
  }
  const echoes = await page.evaluate(() => (window as unknown as { echoes: number[] }).echoes);
  await page.keyboard.press('Enter');
  await expect(hvc0).toContainText('you typed: responsive');
  await page.waitForTimeout(4000);

  const after = await hcalls();
  const long = await page.evaluate((from) => (window as unknown as { longTasks: { start: number; duration: number }[] }).longTasks.filter((t) => t.start >= from), windowStart);
  const seconds = ((await page.evaluate(() => performance.now())) - windowStart) / 1000;
  info.annotations.push({ type: 'long tasks while flat out', description: `${long.length} in ${seconds.toFixed(1)} s (${long.map((t) => t.duration.toFixed(0)).join(', ') || 'none'})` });
  info.annotations.push({ type: 'console echo under load', description: `median ${[...echoes].sort((a, b) => a - b)[echoes.length >> 1]!.toFixed(0)} ms, max ${Math.max(...echoes).toFixed(0)} ms over ${echoes.length} keys` });
  info.annotations.push({ type: 'hypercalls per second flat out', description: `${Math.round((after - before) / seconds)}` });
  for (const a of info.annotations) console.log(`${a.type}: ${a.description}`);
  expect(after).toBeGreaterThan(before);
  expect(long.map((t) => `${t.duration.toFixed(0)} ms at ${(t.start - windowStart).toFixed(0)} ms`)).toEqual([]);
});
