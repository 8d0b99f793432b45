import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const webhooksDir = fileURLToPath(new URL('./packages/webhooks/src', import.meta.url));
const webhooksSrc = `${webhooksDir}/index.ts`;
/** Server tests use the SDK's sources, not its build. */
export const webhooksFromSource = [
  { find: /^@zupy\/webhooks\/(.*)$/, replacement: `${webhooksDir}/$1.ts` },
  { find: '@zupy/webhooks', replacement: webhooksSrc },
];

export default defineConfig({
  test: {
    // The SDK is what integrators run: every line of it is exercised by a test (CONVENTIONS: octokit's 100 %).
    coverage: {
      provider: 'v8',
      include: ['packages/webhooks/src/**/*.ts'],
      exclude: ['**/*.test.ts'],
      reporter: ['text-summary', 'text'],
      thresholds: { lines: 100 },
    },
    projects: [
      {
        test: {
          name: 'webhooks',
          include: ['packages/webhooks/src/**/*.test.ts', 'packages/webhooks/test/**/*.test.ts'],
        },
      },
      {
        resolve: { alias: webhooksFromSource },
        test: {
          name: 'server',
          include: ['packages/server/src/**/*.test.ts', 'packages/server/test/**/*.test.ts'],
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      },
      {
        resolve: { alias: webhooksFromSource },
        test: {
          name: 'server-pg',
          // The same API and delivery suite, on a real PostgreSQL (unit tests need no second run).
          include: ['packages/server/test/**/*.test.ts'],
          env: { ZUPY_TEST_DB: 'postgres' },
          globalSetup: ['packages/server/test/helpers/pg-global-setup.ts'],
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      },
    ],
  },
});
