import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const webhooksDir = fileURLToPath(new URL('./packages/webhooks/src', import.meta.url));
const webhooksSrc = `${webhooksDir}/index.ts`;
/** Server tests use the SDK's sources, not its build. */
export const webhooksFromSource = [
  { find: /^@zupy\/webhooks\/(.*)$/, replacement: `${webhooksDir}/$1.ts` },
  { find: '@zupy/webhooks', replacement: webhooksSrc },
];

/**
 * The server's test files share their worker's module cache (`isolate: false`): each file used to
 * import the whole server again in a fresh process — 540 s of the suite's CPU, half of it — and no
 * file changes global state (no mocks, no fake timers, no environment writes; each starts its own
 * servers and databases). Polls wait up to 10 s: under load a save in the panel or a delivery takes
 * longer than Vitest's default second, and a poll stops as soon as its condition holds.
 */
const serverTests = {
  testTimeout: 30_000,
  hookTimeout: 60_000,
  isolate: false,
  expect: { poll: { timeout: 10_000 } },
};

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
          ...serverTests,
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
          ...serverTests,
        },
      },
    ],
  },
});
