import { expect, test, type Locator, type Page } from '@playwright/test';
import { bootPvos, hvc0 } from './support/pvos';

// The CPU panel while the machine is paused: EIP and the code there, read through
// the vcpu's page tables. At the shell prompt pvos's only vcpu is blocked in the
// kernel (SCHEDOP_block); a key typed while paused makes the next instruction
// step deliver the event upcall, and each step after that runs one instruction
// of the kernel's event entry: the panel highlights exactly what each changed.

test.use({ viewport: { width: 1920, height: 1200 } });

/** Every register cell's value, by name. */
async function registers(panel: Locator): Promise<Record<string, string>> {
  return panel.locator('[data-reg]').evaluateAll((els) =>
    Object.fromEntries(els.map((e) => [(e as HTMLElement).dataset.reg!, e.querySelector('.reg-value')!.textContent!])),
  );
}

async function highlighted(panel: Locator): Promise<string[]> {
  return panel.locator('[data-reg].reg-changed').evaluateAll((els) => els.map((e) => (e as HTMLElement).dataset.reg!).sort());
}

async function stepOne(page: Page, panel: Locator): Promise<void> {
  const before = await page.getByTestId('cpu-instructions').getAttribute('data-count');
  await page.locator('[data-action="step-instruction"]').click();
  await expect(page.getByTestId('cpu-instructions')).not.toHaveAttribute('data-count', before!);
  await expect(panel).toHaveAttribute('data-phase', 'paused');
}

test('paused, the CPU panel shows EIP and the code there; each step highlights what it changed', async ({ page }, testInfo) => {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await bootPvos(page);
  await page.getByRole('tab', { name: 'CPU' }).click();
  const panel = page.locator('[data-panel="cpu"]');
  await page.locator('[data-action="pause"]').click();
  await expect(panel).toHaveAttribute('data-phase', 'paused');

  // Blocked in the kernel, after the hypercall that blocked it.
  await expect(page.getByTestId('cpu-ring')).toHaveText('ring 1: guest kernel');
  const eip = await page.getByTestId('cpu-eip').innerText();
  expect(eip).toMatch(/^c[0-9a-f]{7}$/);
  const current = panel.locator('.disasm-line[data-at="current"]');
  await expect(current.locator('.disasm-addr')).toHaveText(eip);
  expect(await panel.locator('.disasm-line[data-at="after"]').count()).toBe(15);
  await panel.screenshot({ path: testInfo.outputPath('cpu-paused.png') });
  await testInfo.attach('CPU panel, paused', { path: testInfo.outputPath('cpu-paused.png'), contentType: 'image/png' });

  // A key while paused; one step delivers the upcall and runs its first instruction.
  await page.getByTestId('guest-console').click();
  await page.keyboard.type('h');
  await page.getByRole('tab', { name: 'CPU' }).click();
  await page.getByTestId('step-count').fill('1');
  let regs = await registers(panel);
  await stepOne(page, panel);
  await expect(page.getByTestId('cpu-eip')).not.toHaveText(eip);
  // Xen pushed the bounce frame and jumped to the event callback: EIP and ESP moved.
  expect(await highlighted(panel)).toEqual(expect.arrayContaining(['eip', 'esp']));

  // Then instruction by instruction: the highlights are exactly the registers that changed,
  // and the instruction just run appears before EIP, found by decoding backwards.
  for (let i = 0; i < 4; i++) {
    regs = await registers(panel);
    const at = await current.locator('.disasm-addr').innerText();
    const text = await current.locator('.disasm-text').innerText();
    const next = await panel.locator('.disasm-line[data-at="after"] .disasm-addr').first().innerText();
    await stepOne(page, panel);
    const now = await registers(panel);
    const changed = Object.keys(now).filter((r) => now[r] !== regs[r]).sort();
    expect(await highlighted(panel)).toEqual(changed);
    expect(changed).toContain('eip');
    if (!/^(j|call|ret|int|iret|lret|loop)/.test(text)) {
      expect(now.eip).toBe(next);
      const previous = panel.locator('.disasm-line[data-at="before"]').last();
      await expect(previous.locator('.disasm-addr')).toHaveText(at);
      await expect(previous.locator('.disasm-text')).toHaveText(text);
    }
  }
  await panel.screenshot({ path: testInfo.outputPath('cpu-stepped.png') });
  await testInfo.attach('CPU panel, stepped', { path: testInfo.outputPath('cpu-stepped.png'), contentType: 'image/png' });

  // Running again, the shell echoes the key typed while paused.
  await page.locator('[data-action="run"]').click();
  await expect(panel).toHaveAttribute('data-phase', 'running');
  await expect.poll(() => hvc0(page).innerText()).toMatch(/\$ h/);
  expect(errors).toEqual([]);
});
