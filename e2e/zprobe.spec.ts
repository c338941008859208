import { test } from '@playwright/test';
test('probe boot', async ({ page }) => {
  await page.addInitScript(() => {
    const w = window as any;
    const tick = () => {
      const rows = document.querySelector('[data-testid="guest-console"] .xterm-rows');
      const t = rows?.textContent ?? '';
      if (t.includes('$') && !w.dollarAt) w.dollarAt = performance.now();
      if (t.includes('pvos shell on hvc0') && t.includes('$')) { w.promptAt = performance.now(); return; }
      requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  });
  await page.setViewportSize({ width: 1440, height: 900 });
  await page.goto('/');
  await page.waitForFunction(() => (window as any).promptAt, null, { timeout: 20000 });
  const r = await page.evaluate(() => {
    const w = window as any;
    const marks = performance.getEntriesByType('mark').map((m) => `${m.name.replace('pvplay:', '')} ${m.startTime.toFixed(0)}`).join(', ');
    return `prompt ${w.promptAt.toFixed(0)} dollar ${w.dollarAt.toFixed(0)} ${marks}`;
  });
  const ws = page.workers();
  const po = await page.evaluate(() => performance.timeOrigin);
  for (const w of ws) {
    const info = await w.evaluate(() => ({ origin: performance.timeOrigin, res: performance.getEntriesByType('resource').map((e: any) => `${e.name.split('/').pop()} ${e.startTime.toFixed(0)}-${e.responseEnd.toFixed(0)}`), marks: performance.getEntriesByType('mark').map((m) => `${m.name} ${m.startTime.toFixed(0)}`) }));
    console.log('worker origin +', (info.origin - po).toFixed(0), info.res.join(' | '), info.marks.join(' | '));
  }
  console.log(r);
});
