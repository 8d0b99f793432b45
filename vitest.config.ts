import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const webhooksSrc = fileURLToPath(new URL('./packages/webhooks/src/index.ts', import.meta.url));

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'webhooks',
          include: ['packages/webhooks/src/**/*.test.ts', 'packages/webhooks/test/**/*.test.ts'],
        },
      },
      {
        resolve: { alias: { '@zupy/webhooks': webhooksSrc } },
        test: {
          name: 'server',
          include: ['packages/server/src/**/*.test.ts', 'packages/server/test/**/*.test.ts'],
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      },
    ],
  },
});
