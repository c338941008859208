import { readFileSync } from 'node:fs';
import { expect, test, type Page } from '@playwright/test';
import { decodeRecipe } from '../src/machine/snapshot/recipe';

// Sharing a machine: boot pvos, type commands, Share, open the link in a new
// page -- the same console text and domains, paused, under a banner that says
// what it is; Resume runs it on. Save and Open round-trip a snapshot file.
// Links that cannot be used say why and leave the running machine as it was.

const hvc0 = (page: Page) => page.getByTestId('guest-console').locator('.xterm-rows');

async function openPvos(page: Page): Promise<void> {
  await page.setViewportSize({ width: 1440, height: 900 });
  await page.goto('/?guest=pvos');
  await expect(hvc0(page)).toContainText('pvos shell on hvc0', { timeout: 30_000 });
}

async function command(page: Page, line: string, answer: string | RegExp): Promise<void> {
  await page.getByTestId('guest-console').click();
  await page.keyboard.type(line);
  await page.keyboard.press('Enter');
  await expect(hvc0(page)).toContainText(answer);
}

/**
 * The recipe text with one character changed, at or after `from`, such that it no
 * longer decodes: a changed bit of DEFLATE data can, rarely, decode to the same
 * bytes (an unused code length), and such a link is not damaged at all.
 */
function changedFrom(payload: string, from: number): string {
  for (let i = from; i < payload.length; i++) {
    const text = payload.slice(0, i) + (payload[i] === 'A' ? 'B' : 'A') + payload.slice(i + 1);
    try {
      decodeRecipe(text);
    } catch {
      return text;
    }
  }
  throw new Error('no change of one character damages this recipe');
}

async function share(page: Page): Promise<string> {
  await page.locator('[data-action="share"]').click();
  const link = page.getByTestId('share-link');
  await expect(link).toBeVisible({ timeout: 30_000 });
  return link.inputValue();
}

test('a shared pvos opens in a new page: same console and domains, paused, with a banner; Resume runs it', async ({ page, context }) => {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await openPvos(page);
  await command(page, 'echo shared from page one', 'shared from page one');
  await command(page, 'ps', 'sh (this shell)');
  const url = await share(page);
  // A recipe when replaying takes under a second here, else a snapshot: either way the same machine.
  const kind = /#(recipe|snapshot)1=[A-Za-z0-9_-]+$/.exec(url)?.[1];
  expect(kind).toBeDefined();
  const words = kind === 'recipe' ? 'a replay recipe' : 'a snapshot';
  await expect(page.getByTestId('share-message')).toContainText(new RegExp(`${words.slice(2)} link of [\\d,]+ characters`));

  const other = await context.newPage();
  other.on('pageerror', (e) => errors.push(e.message));
  await other.setViewportSize({ width: 1440, height: 900 });
  await other.goto(url);
  const banner = other.getByTestId('share-banner');
  await expect(banner).toBeVisible({ timeout: 30_000 });
  await expect(banner).toContainText(new RegExp(`Opened from a link: ${words}( of \\d+ inputs)? · [\\d,]+ instructions`));
  await expect(banner).toContainText('pvos (d1, running)');
  await expect(other.getByTestId('machine-status')).toContainText('paused');
  await expect(hvc0(other)).toContainText('shared from page one');
  await expect(hvc0(other)).toContainText('sh (this shell)');
  await expect(other.getByTestId('domain-row-1')).toContainText('pvos');

  await other.getByTestId('share-resume').click();
  await expect(banner).toBeHidden();
  await expect(other.getByTestId('machine-status')).toContainText('running');
  await command(other, 'echo on page two', 'on page two');
  expect(errors).toEqual([]);
});

test('Save downloads a snapshot file; Open brings that machine back', async ({ page }) => {
  await openPvos(page);
  await command(page, 'echo saved state', 'saved state');
  const download = page.waitForEvent('download');
  await page.locator('[data-action="download-snapshot"]').click();
  const file = await download;
  expect(file.suggestedFilename()).toMatch(/^pvplay-pvos-\d+M\.pvsnap$/);
  const bytes = readFileSync(await file.path());

  await command(page, 'echo after saving', 'after saving');
  const chooser = page.waitForEvent('filechooser');
  await page.locator('[data-action="upload-snapshot"]').click();
  await (await chooser).setFiles({ name: file.suggestedFilename(), mimeType: 'application/octet-stream', buffer: bytes });
  const banner = page.getByTestId('share-banner');
  await expect(banner).toContainText(/Opened from the file “pvplay-pvos-\d+M\.pvsnap”: a snapshot/, { timeout: 30_000 });
  await expect(hvc0(page)).toContainText('saved state');
  await expect(hvc0(page)).not.toContainText('after saving');
  await expect(page.getByTestId('machine-status')).toContainText('paused');
});

test('links that cannot be used say why, and the running machine goes on', async ({ page }) => {
  await openPvos(page);
  await command(page, 'echo before bad links', 'before bad links');
  const good = await share(page);
  const payload = good.slice(good.indexOf('#recipe1=') + '#recipe1='.length);
  expect(good).toContain('#recipe1=');
  const bad: [string, RegExp][] = [
    ['#recipe1=' + payload.slice(0, payload.length - 9), /cut short|corrupt|damaged/],
    ['#recipe1=' + changedFrom(payload, 40), /corrupt|decompress|damaged|cut/],
    ['#recipe7=' + payload, /link format 7, made by a newer version of pvplay/],
    ['#snapshot1=UFZQTEFZU04HAAAA', /format 7; this pvplay reads format 1/],
    ['#recipe1=%3Cscript%3E', /damaged/],
    ['#something-else', /does not hold a pvplay machine/],
  ];
  for (const [fragment, why] of bad) {
    // Each link's own message: the last one's is closed first (they may read alike).
    const message = page.getByTestId('share-message');
    if (await message.isVisible()) await message.getByRole('button', { name: 'Close the message' }).click();
    await expect(message).toBeHidden();
    await page.evaluate((f) => { window.location.hash = f; }, fragment);
    await expect(message).toHaveAttribute('data-tone', 'error');
    await expect(message).toContainText(why);
    await expect(page.getByTestId('share-banner')).toBeHidden();
  }
  await expect(page.getByTestId('machine-status')).toContainText('running');
  await command(page, 'echo still here', 'still here');
  await expect(hvc0(page)).toContainText('before bad links');
});

test('a page opened on a corrupt link says so, then boots the default guest', async ({ page }) => {
  await page.setViewportSize({ width: 1440, height: 900 });
  await page.goto('/?guest=pvos#recipe1=AAAA');
  await expect(page.getByTestId('share-message')).toContainText(/This link could not be opened/, { timeout: 30_000 });
  await expect(hvc0(page)).toContainText('pvos shell on hvc0', { timeout: 30_000 });
});

test('the timeline: step back one instruction, and scrub back to a checkpoint', async ({ page }) => {
  await openPvos(page);
  await command(page, 'spin', '$ ');
  await page.locator('[data-action="pause"]').click();
  await expect(page.getByTestId('machine-status')).toContainText('paused');
  const timeline = page.getByTestId('timeline');
  await expect(timeline).toBeVisible();
  const now = Number(await timeline.getAttribute('data-now'));
  expect(now).toBeGreaterThan(0);
  await page.locator('[data-action="step-back-instruction"]').click();
  await expect(timeline).toHaveAttribute('data-now', String(now - 1), { timeout: 30_000 });
  await expect(page.getByTestId('machine-status')).toContainText(`at instruction ${(now - 1).toLocaleString('en-US')}`);
  const scrubber = page.getByTestId('timeline-scrubber');
  await scrubber.focus();
  await page.keyboard.press('Home');
  await expect(timeline).toHaveAttribute('data-now', await timeline.getAttribute('data-start') ?? '0', { timeout: 30_000 });
});
