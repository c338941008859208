// Driving the teaching guest's shell in the built app: boot it, type a command,
// read what it printed. The console is xterm.js; its rows are read as text.
import { expect, type Page } from '@playwright/test';

/** The shell's prompt at the end of the console (xterm pads rows with non-breaking spaces). */
export const PROMPT_AT_END = /\n\$[\s\u00a0]*$/;

/** The pvos console's text. */
export function hvc0(page: Page) {
  return page.getByTestId('guest-console').locator('.xterm-rows');
}

/** Open the playground on its default guest, pvos, and wait for the shell prompt. */
export async function bootPvos(page: Page): Promise<void> {
  await page.goto('/');
  await expect(hvc0(page)).toContainText('pvos shell on hvc0', { timeout: 20_000 });
  await expect.poll(() => hvc0(page).innerText()).toMatch(PROMPT_AT_END);
}

/** Type a shell command and return what it printed before the next prompt. */
export async function command(page: Page, line: string): Promise<string> {
  const echo = `$ ${line}\n`;
  const seen = (text: string) => text.split(echo).length - 1;
  const before = seen(await hvc0(page).innerText());
  await page.getByTestId('guest-console').click();
  await page.keyboard.type(line);
  await page.keyboard.press('Enter');
  const after = (text: string) => text.slice(text.lastIndexOf(echo) + echo.length);
  await expect
    .poll(async () => {
      const text = (await hvc0(page).innerText()).replace(/\u00a0/g, ' ');
      return seen(text) > before && PROMPT_AT_END.test('\n' + after(text));
    })
    .toBe(true);
  return after((await hvc0(page).innerText()).replace(/\u00a0/g, ' '));
}
