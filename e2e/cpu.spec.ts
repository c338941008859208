import { expect, test } from '@playwright/test';
import { bootPvos, command } from './support/pvos';

// The CPU panel while the machine is paused: EIP and the code there, read through
// the vcpu's page tables; stepping highlights what changed since the pause before.

test.use({ viewport: { width: 1920, height: 1200 } });

test('paused, the CPU panel shows EIP and the code there; a step highlights what it changed', async ({ page }, testInfo) => {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await bootPvos(page);
  // A process that spins in ring 3: the only user code that runs, so ring 3 means it.
  expect(await command(page, 'spin')).toContain('spin: a process now spins in ring 3');
  await page.getByRole('tab', { name: 'CPU' }).click();
  const panel = page.locator('[data-panel="cpu"]');
  await expect(panel.locator('.disasm-line[data-at="current"]')).toBeVisible();

  await page.locator('[data-action="pause"]').click();
  await expect(panel).toHaveAttribute('data-phase', 'paused');
  const eip = (await page.getByTestId('cpu-eip').innerText()).trim();
  expect(eip).toMatch(/^[0-9a-f]{8}$/);
  // The line at EIP is marked, with instructions after it and the address of EIP.
  const current = panel.locator('.disasm-line[data-at="current"]');
  await expect(current.locator('.disasm-addr')).toHaveText(eip);
  expect(await panel.locator('.disasm-line[data-at="after"]').count()).toBeGreaterThanOrEqual(10);
  const ring = await page.getByTestId('cpu-ring').innerText();
  expect(ring).toMatch(/^ring [13]: /);
  if (ring.startsWith('ring 3')) {
    // `for (;;);`: a jump to itself.
    await expect(current.locator('.disasm-text')).toHaveText(`jmp 0x${eip}`);
    await expect(current.locator('.disasm-bytes')).toHaveText('eb fe');
  }
  await panel.screenshot({ path: testInfo.outputPath('cpu-paused.png') });
  await testInfo.attach('CPU panel, paused', { path: testInfo.outputPath('cpu-paused.png'), contentType: 'image/png' });

  // To the next hypercall: the kernel makes one on the next timer tick, in ring 1.
  await page.locator('[data-action="step-hypercall"]').click();
  await expect(page.getByTestId('cpu-eip')).not.toHaveText(eip, { timeout: 10_000 });
  await expect(panel.locator('[data-reg="eip"]')).toHaveClass(/reg-changed/);
  await expect(panel.locator('.disasm-line[data-at="current"] .disasm-addr')).toHaveText(await page.getByTestId('cpu-eip').innerText());

  // One instruction: EIP moves on, and only what that instruction changed is highlighted.
  await page.getByTestId('step-count').fill('1');
  const next = await panel.locator('.disasm-line[data-at="after"] .disasm-addr').first().innerText();
  const text = await panel.locator('.disasm-line[data-at="current"] .disasm-text').innerText();
  await page.locator('[data-action="step-instruction"]').click();
  if (!/^(jmp|call|ret|j[a-z]+|int|iret|lret|loop)/.test(text)) {
    await expect(page.getByTestId('cpu-eip')).toHaveText(next);
  }
  await expect(panel.locator('[data-reg="eip"]')).toHaveClass(/reg-changed/);
  expect(await panel.locator('.reg-changed').count()).toBeLessThanOrEqual(6);
  await panel.screenshot({ path: testInfo.outputPath('cpu-stepped.png') });
  await testInfo.attach('CPU panel, one step later', { path: testInfo.outputPath('cpu-stepped.png'), contentType: 'image/png' });
  expect(errors).toEqual([]);
});
