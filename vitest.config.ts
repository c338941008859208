import { defineConfig } from 'vitest/config';

// Unit tests of the core (and of pure UI helpers) in node. e2e/ holds Playwright
// specs, which Vitest must not pick up.
export default defineConfig({
  test: {
    environment: 'node',
    include: ['src/**/*.test.ts', 'tools/**/*.test.ts'],
    exclude: ['e2e/**', 'node_modules/**', 'dist/**'],
    // Many tests boot guest kernels on the emulated machine: seconds of work, and
    // more on a busy 2-core machine. Timeouts catch hangs; they are not speed checks.
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
