import { defineConfig } from 'vitest/config';

// Unit tests of the core (and of pure UI helpers) in node. e2e/ holds Playwright
// specs, which Vitest must not pick up.
export default defineConfig({
  test: {
    environment: 'node',
    include: ['src/**/*.test.ts', 'tools/**/*.test.ts'],
    exclude: ['e2e/**', 'node_modules/**', 'dist/**'],
  },
});
