import { defineConfig } from 'vitest/config';
import { webhooksFromSource } from './vitest.config.js';

/**
 * The one project `npm run mutation` runs (bench/mutation.mjs): Stryker's Vitest runner cannot pick a
 * project of vitest.config.ts, so this is the SDK and server tests as one, on SQLite, the SDK from its
 * sources, narrowed to one module's test files by ZUPY_MUTATION_TESTS (comma-separated paths). Not
 * Stryker's own `testFiles` option: with it, Stryker 9.6 activates a static mutant (a module-level
 * value) only after the module has loaded, so every one of them survives (stryker-js issue 6144).
 */
const only = process.env.ZUPY_MUTATION_TESTS?.split(',').filter(Boolean);

export default defineConfig({
  resolve: { alias: webhooksFromSource },
  test: {
    include: only ?? [
      'packages/webhooks/src/**/*.test.ts',
      'packages/webhooks/test/**/*.test.ts',
      'packages/server/src/**/*.test.ts',
      'packages/server/test/**/*.test.ts',
    ],
    env: { ZUPY_TEST_DB: 'sqlite' },
    runner: './vitest.mutation.runner.ts',
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
