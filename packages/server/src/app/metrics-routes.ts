import type { FastifyPluginAsync } from 'fastify';
import type { Kysely } from 'kysely';
import type { DeliveryStatus, Tables } from '../db/tables.js';
import type { Runtime } from './runtime.js';
import { disabledEndpointIds } from '../delivery/endpoint-counts.js';

/**
 * Deliveries in one status, counted through that status's partial index (migrations 0005, 0006):
 * the cost follows the queue and the failures, never the whole log, so a scrape stays cheap with
 * millions of delivered webhooks (counting them all took ~300 ms of a blocked event loop at 1M).
 * Pending means waiting to be sent, now or at a retry: a test send is pending only while it is being
 * sent and has no `next_attempt_at`, so it is not counted (nor left counted if the process dies then).
 */
export async function countDeliveries(db: Kysely<Tables>, status: DeliveryStatus): Promise<number> {
  let query = db
    .selectFrom('deliveries')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('status', '=', status);
  if (status === 'pending') query = query.where('next_attempt_at', 'is not', null);
  const row = await query.executeTakeFirstOrThrow();
  return Number(row.n);
}

/**
 * Pending deliveries of disabled endpoints (held), through each one's range of the partial index of
 * pending deliveries: disabled endpoints are few.
 */
export async function countHeldDeliveries(db: Kysely<Tables>): Promise<number> {
  const row = await db
    .selectFrom('deliveries')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('status', '=', 'pending')
    .where('next_attempt_at', 'is not', null)
    .where('endpoint_id', 'in', disabledEndpointIds)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/**
 * Prometheus text format: the queue and the failures in the delivery log (gauges, the same from
 * every process), and what this process's worker sent and recorded since it started (counters).
 */
export const metricsRoutes =
  (runtime: Pick<Runtime, 'ctx' | 'worker'>): FastifyPluginAsync =>
  (app) => {
    app.get('/metrics', { schema: { hide: true } }, async (_request, reply) => {
      const db = runtime.ctx.db;
      const held = await countHeldDeliveries(db);
      const pending = (await countDeliveries(db, 'pending')) - held;
      const failed = await countDeliveries(db, 'failed');
      const discarded = await countDeliveries(db, 'discarded');
      const recorded = runtime.worker?.attemptsRecorded ?? { succeeded: 0, retrying: 0, failed: 0 };
      const lines = [
        '# HELP zupy_deliveries Webhook deliveries in the delivery log waiting to be sent (pending), waiting for their disabled endpoint (held), failed for good (failed), or dropped on re-enabling (discarded).',
        '# TYPE zupy_deliveries gauge',
        `zupy_deliveries{status="pending"} ${pending}`,
        `zupy_deliveries{status="held"} ${held}`,
        `zupy_deliveries{status="failed"} ${failed}`,
        `zupy_deliveries{status="discarded"} ${discarded}`,
        '# HELP zupy_delivery_attempts_total Webhook attempts this process recorded, by what became of the delivery.',
        '# TYPE zupy_delivery_attempts_total counter',
        ...Object.entries(recorded).map(
          ([result, n]) => `zupy_delivery_attempts_total{result="${result}"} ${n}`,
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
