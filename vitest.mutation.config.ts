import { defineConfig } from 'vitest/config';
import { webhooksFromSource } from './vitest.config.js';

/**
 * The one project `npm run mutation` runs (bench/mutation.mjs): Stryker's Vitest runner cannot pick a
 * project of vitest.config.ts, so this is the SDK and server tests as one, on SQLite, the SDK from its
 * sources. Stryker's `testFiles` narrows it to each module's own test files.
 */
export default defineConfig({
  resolve: { alias: webhooksFromSource },
  test: {
    include: [
      'packages/webhooks/src/**/*.test.ts',
      'packages/webhooks/test/**/*.test.ts',
      'packages/server/src/**/*.test.ts',
      'packages/server/test/**/*.test.ts',
    ],
    env: { ZUPY_TEST_DB: 'sqlite' },
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
