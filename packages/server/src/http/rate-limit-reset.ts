import type { FastifyInstance } from 'fastify';
import type { Clock } from '../shared/clock.js';

/**
 * `X-RateLimit-Reset` as Zupy's docs give it: the Unix time (seconds) at which the window resets,
 * like GitHub's, instead of @fastify/rate-limit's seconds-from-now. Registered after the plugin, so
 * it rewrites the header the plugin set, on answers and 429s alike.
 */
export function installEpochRateLimitReset(api: FastifyInstance, clock: Clock): void {
  api.addHook('onSend', async (_request, reply, payload) => {
    const remaining = reply.getHeader('x-ratelimit-reset');
    if (remaining !== undefined && /^\d+$/.test(String(remaining))) {
      reply.header('x-ratelimit-reset', String(Math.ceil(clock().getTime() / 1000) + Number(remaining)));
    }
    return payload;
  });
}
