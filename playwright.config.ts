import { defineConfig } from '@playwright/test';

// End-to-end tests drive the built site (`npm run test:e2e` builds it first) in the
// system's Chromium; no browser is downloaded. PVPLAY_CHROMIUM overrides its path.
const CHROMIUM = process.env.PVPLAY_CHROMIUM ?? '/usr/bin/chromium';

/** Ports of the two servers; PVPLAY_E2E_PORT moves both, so two checkouts can test at once. */
const PORT = Number(process.env.PVPLAY_E2E_PORT ?? 4173);
/** `vite preview`: the built site with COOP/COEP headers. */
export const PREVIEW_URL = `http://127.0.0.1:${PORT}`;
/** The built site from a server that sends no isolation headers, like a plain static host. */
export const PLAIN_URL = `http://127.0.0.1:${PORT + 1}`;

export default defineConfig({
  testDir: 'e2e',
  forbidOnly: !!process.env.CI,
  // One retry in CI: on a loaded host the renderer can stall past a step's timeout. A failure
  // that repeats still fails; the report marks a test that passed only on retry as flaky.
  retries: process.env.CI ? 1 : 0,
  timeout: 30_000,
  reporter: process.env.CI ? 'list' : [['list'], ['html', { open: 'never' }]],
  use: {
    baseURL: PREVIEW_URL,
    browserName: 'chromium',
    headless: true,
    trace: 'retain-on-failure',
    launchOptions: {
      executablePath: CHROMIUM,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--no-first-run',
        '--disable-sync',
        '--disable-quic',
      ],
    },
  },
  webServer: [
    {
      command: `npx vite preview --host 127.0.0.1 --port ${PORT} --strictPort`,
      url: PREVIEW_URL,
      reuseExistingServer: !process.env.CI,
      timeout: 60_000,
    },
    {
      command: `npx tsx e2e/support/plainServer.ts dist ${PORT + 1}`,
      url: PLAIN_URL,
      reuseExistingServer: !process.env.CI,
      timeout: 60_000,
    },
  ],
});
