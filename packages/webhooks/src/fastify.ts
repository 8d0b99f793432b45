import type { FastifyInstance } from 'fastify';
import type { WebhookHandler } from './handler.js';

export interface FastifyWebhookOptions {
  /** Route path, e.g. `/webhooks/zupy`. */
  path: string;
  handler: WebhookHandler;
}

/**
 * Registers a POST route in its own encapsulated context, where request bodies arrive as raw buffers
 * (the signature covers the exact bytes); the rest of your app keeps its JSON parser.
 *
 * @example
 * import Fastify from 'fastify';
 * import { registerZupyWebhook } from '@zupy/webhooks/fastify';
 * const app = Fastify();
 * registerZupyWebhook(app, { path: '/webhooks/zupy', handler });
 */
export function registerZupyWebhook(app: FastifyInstance, options: FastifyWebhookOptions): void {
  void app.register((scope, _opts, done) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, parsed) => parsed(null, body));
    scope.post(options.path, async (request, reply) => {
      const rawBody = Buffer.isBuffer(request.body) ? request.body : undefined;
      const answer = await options.handler({ rawBody, headers: request.headers, parsedBody: request.body });
      return reply.code(answer.status).send(answer.body);
    });
    done();
  });
}
