import { isEventType, type EventType } from '@zupy/webhooks';
import type { FastifyBaseLogger } from 'fastify';
import type { EndpointRow } from '../db/tables.js';
import { lockForUpdate } from '../db/row-locks.js';
import { storageFailureOf } from '../db/database-failure.js';
import { runInTransaction } from '../db/transaction.js';
import type { DeliveryContext } from './delivery-context.js';
import { enableEndpoint } from './endpoint-state.js';
import { nextProbeAt } from './failure-policy.js';
import { sendSample } from './send-sample.js';

/**
 * Endpoints that heal (docs/webhooks.md "Probes"): an endpoint disabled for a failure streak is sent
 * a probe at each step of the probe schedule — a signed `X-Zupy-Test: true` sample of its oldest held
 * delivery's event type, logged as a delivery of kind `probe`, tried once, never part of a retry
 * series or a failure streak. The first 2xx enables it again and its held deliveries flow, in order.
 * An endpoint that answered 410 Gone, or that a person disabled, is never probed.
 */

/** How long a worker that took a probe has to finish it before another may take it again. */
const PROBE_LEASE_MS = 60_000;

export interface ProbeReport {
  endpointId: string;
  status: number | null;
  error: string | null;
  enabled: boolean;
}

/** Probes every endpoint whose probe is due; each is taken by one worker only. */
export async function probeDueEndpoints(
  ctx: DeliveryContext,
  log: FastifyBaseLogger,
): Promise<ProbeReport[]> {
  const now = ctx.clock();
  const due = await ctx.db
    .selectFrom('webhook_endpoints')
    .selectAll()
    .where('enabled', '=', 0)
    .where('disabled_code', '=', 'failure_streak')
    .where('deleted_at', 'is', null)
    .where('next_probe_at', '<=', now.toISOString())
    .execute();
  const reports: ProbeReport[] = [];
  for (const endpoint of due) {
    // Taken by moving its next probe past a lease: of several workers, one wins.
    const taken = await ctx.db
      .updateTable('webhook_endpoints')
      .set({ next_probe_at: new Date(now.getTime() + PROBE_LEASE_MS).toISOString() })
      .where('id', '=', endpoint.id)
      .where('enabled', '=', 0)
      .where('next_probe_at', '=', endpoint.next_probe_at)
      .executeTakeFirst();
    if (Number(taken.numUpdatedRows) !== 1) continue;
    try {
      reports.push(await probe(ctx, endpoint));
    } catch (error) {
      // A storage failure is the worker's to report (once per interval), not a stack per endpoint.
      if (storageFailureOf(error) !== null) throw error;
      log.error({ err: error, endpoint: endpoint.id }, 'probing a disabled endpoint failed');
    }
  }
  return reports;
}

/** The event type of the endpoint's oldest held delivery (a registration when nothing is held). */
async function probeType(ctx: DeliveryContext, endpointId: string): Promise<EventType> {
  const oldest = await ctx.db
    .selectFrom('deliveries')
    .select('event_type')
    .where('endpoint_id', '=', endpointId)
    .where('status', '=', 'pending')
    .where('is_test', '=', 0)
    .orderBy('seq')
    .limit(1)
    .executeTakeFirst();
  return oldest && isEventType(oldest.event_type) ? oldest.event_type : 'customer.registered';
}

async function probe(ctx: DeliveryContext, endpoint: EndpointRow): Promise<ProbeReport> {
  const { report } = await sendSample(ctx, endpoint, await probeType(ctx, endpoint.id), 'probe');
  const healed = report.result.status === 'succeeded';
  const enabled = await runInTransaction(ctx.db, async (trx) => {
    // Still disabled for its failure streak? A person may have enabled or deleted it meanwhile.
    const current = await lockForUpdate(
      trx
        .selectFrom('webhook_endpoints')
        .select(['enabled', 'disabled_code', 'deleted_at', 'probe_count'])
        .where('id', '=', endpoint.id),
      trx,
    ).executeTakeFirst();
    if (
      !current ||
      current.enabled === 1 ||
      current.deleted_at !== null ||
      current.disabled_code !== 'failure_streak'
    )
      return false;
    const finished = ctx.clock();
    if (healed) {
      await enableEndpoint(trx, endpoint.id, { now: finished, by: 'probe' });
      return true;
    }
    const probes = Number(current.probe_count) + 1;
    await trx
      .updateTable('webhook_endpoints')
      .set({
        probe_count: probes,
        next_probe_at: nextProbeAt(probes, ctx.webhooks.probeSchedule, finished).toISOString(),
      })
      .where('id', '=', endpoint.id)
      .execute();
    return false;
  });
  return {
    endpointId: endpoint.id,
    status: report.response.status,
    error: report.response.error,
    enabled,
  };
}
