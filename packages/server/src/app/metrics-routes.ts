import type { FastifyPluginAsync } from 'fastify';
import type { Kysely } from 'kysely';
import type { DeliveryStatus, Tables } from '../db/tables.js';
import type { QueueSource, ZupyMetrics } from './metrics.js';
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

/** The queue gauges' source for a runtime: counted from the delivery log at each scrape. */
export function queueSource(
  db: Kysely<Tables>,
  inFlight: () => number,
  limits: QueueSource['limits'] = () => [],
): QueueSource {
  return {
    limits,
    async counts() {
      const held = await countHeldDeliveries(db);
      return {
        pending: (await countDeliveries(db, 'pending')) - held,
        held,
        failed: await countDeliveries(db, 'failed'),
        discarded: await countDeliveries(db, 'discarded'),
      };
    },
    inFlight,
  };
}

/** Prometheus text format, from the process's registry (app/metrics.ts). */
export const metricsRoutes =
  (metrics: ZupyMetrics): FastifyPluginAsync =>
  (app) => {
    app.get('/metrics', { schema: { hide: true } }, async (_request, reply) =>
      reply.type(metrics.registry.contentType).send(await metrics.registry.metrics()),
    );
    return Promise.resolve();
  };
