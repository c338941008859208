// Helpers the playground's e2e specs share.
import { expect, type Page, type TestInfo } from '@playwright/test';

/** Open the playground on the demo guest and wait for its prompt. */
export async function openDemo(page: Page): Promise<void> {
  await page.setViewportSize({ width: 1440, height: 900 });
  await page.goto('/?guest=demo');
  await expect(page.getByTestId('guest-console').locator('.xterm-rows')).toContainText('demo>', { timeout: 15_000 });
}

/** Bring a panel to the front by its tab. */
export async function showPanel(page: Page, title: string): Promise<void> {
  await page.locator('.dv-tab', { hasText: title }).first().click();
}

/** Type a line into the Domain-0 terminal. */
export async function dom0(page: Page, line: string): Promise<void> {
  await showPanel(page, 'Domain-0');
  await page.getByTestId('dom0-terminal').click();
  await page.keyboard.type(line);
  await page.keyboard.press('Enter');
}

/** Save a screenshot of one panel (by its data-panel) as a test artifact. */
export async function panelShot(page: Page, info: TestInfo, panel: string, name: string): Promise<void> {
  const body = await page.locator(`[data-panel="${panel}"]`).first().screenshot();
  await info.attach(name, { body, contentType: 'image/png' });
}

/** A panel in both colour schemes, attached to the report as `<name>-dark.png` and `<name>-light.png`. */
export async function panelShotsBothThemes(page: Page, info: TestInfo, panel: string, name: string): Promise<void> {
  for (const scheme of ['dark', 'light'] as const) {
    await page.emulateMedia({ colorScheme: scheme });
    const body = await page.locator(`[data-panel="${panel}"]`).screenshot({ animations: 'disabled' });
    await info.attach(`${name}-${scheme}.png`, { body, contentType: 'image/png' });
  }
}

/** The machine-wide instruction count a pause reports in the status bar. */
export async function pausedAt(page: Page): Promise<number> {
  const at = await pausedAtNow(page);
  if (at === null) throw new Error(`no pause in the status bar: ${await page.getByTestId('machine-status').textContent()}`);
  return at;
}

/** As pausedAt, or null while the machine runs (a step under way): for expect.poll, which does not retry a throw. */
export async function pausedAtNow(page: Page): Promise<number | null> {
  const text = (await page.getByTestId('machine-status').textContent()) ?? '';
  const m = /at instruction ([\d,]+)/.exec(text);
  return m ? Number(m[1]!.replace(/,/g, '')) : null;
}
