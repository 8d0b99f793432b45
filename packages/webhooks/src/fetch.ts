import type { WebhookHandler } from './handler.js';

/**
 * A fetch-style handler (`Request` → `Response`) for Hono, Next.js route handlers, Bun, Deno and
 * Cloudflare-style runtimes.
 *
 * @example
 * // app/api/webhooks/zupy/route.ts (Next.js)
 * import { createFetchHandler } from '@zupy/webhooks/fetch';
 * export const POST = createFetchHandler(handler);
 * // Hono
 * app.post('/webhooks/zupy', (c) => createFetchHandler(handler)(c.req.raw));
 */
export function createFetchHandler(handler: WebhookHandler): (request: Request) => Promise<Response> {
  return async (request) => {
    const rawBody = request.bodyUsed ? undefined : new Uint8Array(await request.arrayBuffer());
    const answer = await handler({ rawBody, headers: request.headers });
    return Response.json(answer.body, { status: answer.status });
  };
}
