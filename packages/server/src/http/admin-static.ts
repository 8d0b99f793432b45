import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';

/** packages/admin/dist, beside this package in the repository. */
export const ADMIN_DIST = fileURLToPath(new URL('../../../admin/dist/', import.meta.url));

/**
 * The panel is static files that talk to /api/v2 with the user's key. Its pages get a strict CSP
 * (same-origin scripts, styles and requests only; no framing) and the usual hardening headers.
 */
const SECURITY_HEADERS = {
  'content-security-policy':
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'",
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'cross-origin-opener-policy': 'same-origin',
};

export async function installAdminPanel(app: FastifyInstance, distDir = ADMIN_DIST): Promise<void> {
  await app.register(async (scope) => {
    scope.addHook('onSend', async (_request, reply) => {
      reply.headers(SECURITY_HEADERS);
    });
    if (!fs.existsSync(`${distDir}/index.html`)) {
      scope.get('/admin*', { schema: { hide: true } }, (_request, reply) =>
        reply
          .code(503)
          .type('text/plain')
          .send('The admin panel is not built: run `npm run build` in the repository.'),
      );
      return;
    }
    await scope.register(fastifyStatic, {
      root: distDir,
      prefix: '/admin/',
      index: 'index.html',
      wildcard: false,
    });
    // Client-side routes (/admin/customers/ZP-…) all load the app.
    scope.get('/admin/*', { schema: { hide: true } }, (_request, reply) =>
      reply.type('text/html').sendFile('index.html'),
    );
  });
}
