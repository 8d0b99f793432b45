import type { FastifyPluginAsync } from 'fastify';
import type { Runtime } from '../runtime.js';

/** Prometheus text format: delivery counts by status, and the worker's requests in flight. */
export const metricsRoutes =
  (runtime: Pick<Runtime, 'ctx' | 'worker'>): FastifyPluginAsync =>
  (app) => {
    app.get('/metrics', { schema: { hide: true } }, async (_request, reply) => {
      const rows = await runtime.ctx.db
        .selectFrom('deliveries')
        .select(['status', (eb) => eb.fn.countAll<number>().as('n')])
        .groupBy('status')
        .execute();
      const counts = new Map(rows.map((r) => [r.status, Number(r.n)]));
      const lines = [
        '# HELP zupy_deliveries Webhook deliveries by status.',
        '# TYPE zupy_deliveries gauge',
        ...(['pending', 'succeeded', 'failed'] as const).map(
          (s) => `zupy_deliveries{status="${s}"} ${counts.get(s) ?? 0}`,
        ),
        '# HELP zupy_worker_in_flight Webhook requests this process has in flight.',
        '# TYPE zupy_worker_in_flight gauge',
        `zupy_worker_in_flight ${runtime.worker?.inFlightCount ?? 0}`,
        '',
      ];
      return reply.type('text/plain; version=0.0.4').send(lines.join('\n'));
    });
    return Promise.resolve();
  };
