import type { FastifyInstance, FastifyRequest } from 'fastify';

export interface SecurityHeaderOptions {
  /** Serve the admin panel's `*.map` files (config `adminSourceMaps`); otherwise they answer 404. */
  adminSourceMaps?: boolean;
}

/**
 * On every /api answer, problems and 401s included: `no-store`, because answers carry customers'
 * personal data and must not stay in a browser's or a proxy's cache; `nosniff`, so a browser never
 * runs a JSON answer (or a problem quoting user input) as HTML or script.
 */
export const API_HEADERS = { 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' } as const;

/** The path with duplicate leading slashes folded, as the router sees it (`ignoreDuplicateSlashes`). */
function routedPath(request: FastifyRequest): string {
  return (request.url.split('?')[0] ?? '').replace(/^\/+/, '/');
}

const isApi = (path: string) => path === '/api' || path.startsWith('/api/');

/**
 * Security headers for the API, and no source maps of the admin panel unless asked for: they
 * publish the panel's source to anyone. Installed on the root app before any route, so its hooks
 * see every answer, the 404s of unknown routes included.
 */
export function installSecurityHeaders(app: FastifyInstance, options: SecurityHeaderOptions): void {
  app.addHook('onRequest', (request, reply, next) => {
    const path = routedPath(request);
    if (options.adminSourceMaps !== true && path.startsWith('/admin/') && path.endsWith('.map')) {
      return reply.callNotFound();
    }
    next();
  });
  app.addHook('onSend', async (request, reply, payload) => {
    if (isApi(routedPath(request))) reply.headers(API_HEADERS);
    return payload;
  });
}
