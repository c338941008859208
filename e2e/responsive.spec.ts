import { expect, test } from '@playwright/test';

// The main thread stays responsive while a guest runs flat out: pvos (the
// default guest) starts a process that spins in ring 3, the speed goes to flat
// out, and a PerformanceObserver counts long tasks (over 50 ms) on the page while
// the shell is used. Also quotes the time from page load to the shell prompt and
// the console echo delay under that load.

// Long tasks are wall time: on a host busy with other work the renderer can be
// preempted in the middle of a short task. Two retries absorb that; a long task
// the machine causes shows up on every try and still fails the test.
test.describe.configure({ retries: 2 });

interface Probe {
  longTasks: { start: number; duration: number }[];
  /** performance.now() when the guest console first showed the shell prompt. */
  promptAt: number;
  echoes: number[];
  keyAt: number;
}

test('no long tasks while pvos spins flat out; the console still echoes at once', async ({ page }, info) => {
  test.setTimeout(90_000);
  await page.addInitScript(() => {
    const w = window as unknown as Probe;
    w.longTasks = [];
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) w.longTasks.push({ start: e.startTime, duration: e.duration });
    }).observe({ type: 'longtask', buffered: true });
    // The prompt's time is taken in the page, frame by frame: Playwright's own polling
    // of the text would add up to its retry interval to the figure.
    const watch = () => {
      const rows = document.querySelector('[data-testid="guest-console"] .xterm-rows');
      if (rows?.textContent?.includes('pvos shell on hvc0') && rows.textContent.includes('$')) w.promptAt = performance.now();
      else requestAnimationFrame(watch);
    };
    requestAnimationFrame(watch);
  });
  await page.setViewportSize({ width: 1440, height: 900 });
  await page.goto('/');
  const hvc0 = page.getByTestId('guest-console').locator('.xterm-rows');
  await expect(hvc0).toContainText('$', { timeout: 20_000 });
  await expect(hvc0).toContainText('pvos shell on hvc0');
  const promptMs = await page.evaluate(() => (window as unknown as Probe).promptAt);
  const marks = await page.evaluate(() => performance.getEntriesByType('mark').map((m) => `${m.name.replace('pvplay:', '')} ${m.startTime.toFixed(0)}`).join(', '));
  info.annotations.push({ type: 'page load to pvos shell prompt', description: `${promptMs.toFixed(0)} ms (${marks} ms)` });

  await page.getByTestId('guest-console').click();
  await page.keyboard.type('spin');
  await page.keyboard.press('Enter');
  await page.getByTestId('speed').selectOption({ label: 'flat out' });
  await expect(page.getByTestId('machine-status')).toContainText('running flat out');
  const instructions = async () => Number(/([\d.]+) M instructions/.exec((await page.getByTestId('machine-status').textContent()) ?? '')?.[1] ?? 0);
  const windowStart = await page.evaluate(() => performance.now());
  const before = await instructions();

  // Measured in the page: from a keydown to the first change of the terminal's rows.
  await page.evaluate(() => {
    const w = window as unknown as Probe;
    w.echoes = [];
    w.keyAt = -1;
    window.addEventListener('keydown', () => { w.keyAt = performance.now(); }, true);
    new MutationObserver(() => {
      if (w.keyAt < 0) return;
      w.echoes.push(performance.now() - w.keyAt);
      w.keyAt = -1;
    }).observe(document.querySelector('[data-testid="guest-console"] .xterm-rows')!, { childList: true, subtree: true, characterData: true });
  });
  for (const [i, ch] of [...'ps'].entries()) {
    await page.keyboard.type(ch);
    await expect(hvc0).toContainText(`$ ${'ps'.slice(0, i + 1)}`);
  }
  await page.keyboard.press('Enter');
  await expect(hvc0).toContainText('spin');
  await page.waitForTimeout(4000);

  const after = await instructions();
  const seconds = ((await page.evaluate(() => performance.now())) - windowStart) / 1000;
  const probe = await page.evaluate(() => {
    const w = window as unknown as Probe;
    return { longTasks: w.longTasks, echoes: w.echoes };
  });
  const long = probe.longTasks.filter((t) => t.start >= windowStart);
  const echoes = [...probe.echoes].sort((a, b) => a - b);
  info.annotations.push({ type: 'long tasks while flat out', description: `${long.length} in ${seconds.toFixed(1)} s` });
  info.annotations.push({ type: 'console echo under load', description: `${echoes.map((e) => e.toFixed(0)).join(', ')} ms` });
  info.annotations.push({ type: 'guest instructions per second flat out', description: `${((after - before) / seconds).toFixed(1)} M` });
  for (const a of info.annotations) console.log(`${a.type}: ${a.description}`);
  expect(after).toBeGreaterThan(before);
  expect(long.map((t) => `${t.duration.toFixed(0)} ms at ${(t.start - windowStart).toFixed(0)} ms`)).toEqual([]);
});
