import type { Kysely } from 'kysely';
import type { DisabledCode, Tables } from '../db/tables.js';
import { markDeliveriesDue } from '../db/deliveries-due.js';
import { nextProbeAt } from './failure-policy.js';
import { queueEndpointNotice } from '../notifications/owner-notices.js';
import { recordEndpointDisabled, recordEndpointEnabled, type LastAttempt } from './operational-events.js';

/**
 * An endpoint's enabled/disabled transitions (docs/webhooks.md "Disabled endpoints"), inside the
 * caller's transaction. Disabled means paused: its deliveries keep being recorded and wait, never
 * sent, retried or expired, until it is enabled again; then they flow, oldest first, each member's
 * in order. An endpoint disabled for a failure streak is probed on the probe schedule; one that
 * answered 410 Gone, or that a person disabled, is not.
 *
 * Each transition records its operational event (`endpoint.disabled`, `endpoint.enabled`) and queues
 * the owner's e-mail in the same transaction: the change, its event and its e-mail exist together.
 */

export interface DisableInput {
  code: DisabledCode;
  /** The reason as shown (`disabled_reason`). */
  message: string;
  now: Date;
  /** The probe schedule (ms), for a failure streak. */
  probeSchedule: readonly number[];
  /** When the failure streak began, kept as it was. */
  failingSince?: string | null;
  /** The attempt that made Zupy disable it; null when a person did. */
  lastAttempt?: LastAttempt | null;
}

export async function disableEndpoint(
  trx: Kysely<Tables>,
  endpointId: string,
  input: DisableInput,
): Promise<{ nextProbeAt: string | null }> {
  const stamp = input.now.toISOString();
  const probe =
    input.code === 'failure_streak' ? nextProbeAt(0, input.probeSchedule, input.now).toISOString() : null;
  const endpoint = await trx
    .selectFrom('webhook_endpoints')
    .selectAll()
    .where('id', '=', endpointId)
    .executeTakeFirstOrThrow();
  await trx
    .updateTable('webhook_endpoints')
    .set({
      enabled: 0,
      disabled_reason: input.message,
      disabled_code: input.code,
      disabled_at: stamp,
      next_probe_at: probe,
      probe_count: 0,
      ...(input.failingSince !== undefined ? { failing_since: input.failingSince } : {}),
      updated_at: stamp,
    })
    .where('id', '=', endpointId)
    .execute();
  const event = await recordEndpointDisabled(trx, endpoint, {
    code: input.code,
    message: input.message,
    lastAttempt: input.lastAttempt ?? null,
    failingSince: input.failingSince !== undefined ? input.failingSince : endpoint.failing_since,
    nextProbeAt: probe,
    now: input.now,
  });
  await queueEndpointNotice(trx, {
    kind: 'endpoint.disabled',
    companyId: endpoint.company_id,
    endpoint: { id: endpoint.id, url: endpoint.url, description: endpoint.description },
    reason: input.message,
    reasonCode: input.code,
    heldDeliveries: event.deliveries.held,
    nextProbeAt: probe,
    enabledBy: null,
    at: stamp,
  });
  return { nextProbeAt: probe };
}

export interface EnableResult {
  /** Held deliveries that now flow. */
  resumed: number;
  /** Held deliveries dropped (`discard_held`). */
  discarded: number;
}

/**
 * Enables an endpoint: its failure streak and reason are cleared, and its held deliveries are due at
 * once in the order they were recorded (each due at its creation time), each with a fresh retry
 * series — or, only when asked, discarded.
 */
export async function enableEndpoint(
  trx: Kysely<Tables>,
  endpointId: string,
  options: { now: Date; by: 'probe' | 'operator'; discardHeld?: boolean },
): Promise<EnableResult> {
  const result = await resumeOrDiscard(trx, endpointId, options);
  const endpoint = await trx
    .selectFrom('webhook_endpoints')
    .selectAll()
    .where('id', '=', endpointId)
    .executeTakeFirstOrThrow();
  await recordEndpointEnabled(trx, endpoint, { by: options.by, ...result, now: options.now });
  await queueEndpointNotice(trx, {
    kind: 'endpoint.enabled',
    companyId: endpoint.company_id,
    endpoint: { id: endpoint.id, url: endpoint.url, description: endpoint.description },
    reason: null,
    reasonCode: null,
    heldDeliveries: result.resumed,
    nextProbeAt: null,
    enabledBy: options.by,
    at: options.now.toISOString(),
  });
  return result;
}

async function resumeOrDiscard(
  trx: Kysely<Tables>,
  endpointId: string,
  options: { now: Date; discardHeld?: boolean },
): Promise<EnableResult> {
  const stamp = options.now.toISOString();
  await trx
    .updateTable('webhook_endpoints')
    .set({
      enabled: 1,
      disabled_reason: null,
      disabled_code: null,
      next_probe_at: null,
      probe_count: 0,
      failing_since: null,
      updated_at: stamp,
    })
    .where('id', '=', endpointId)
    .execute();
  const held = trx
    .updateTable('deliveries')
    .where('endpoint_id', '=', endpointId)
    .where('status', '=', 'pending')
    .where('is_test', '=', 0);
  if (options.discardHeld) {
    const dropped = await held
      .set({ status: 'discarded', next_attempt_at: null, waits_for: null, updated_at: stamp })
      .executeTakeFirst();
    return { resumed: 0, discarded: Number(dropped.numUpdatedRows) };
  }
  // The heads of the member chains are due at their creation time (oldest first); waiting ones keep
  // waiting for their predecessors.
  const resumed = await held
    .set((eb) => ({
      schedule_offset: eb.ref('attempts_count'),
      next_attempt_at: eb
        .case()
        .when('waits_for', 'is', null)
        .then(eb.ref('created_at'))
        .else(eb.ref('next_attempt_at'))
        .end(),
      updated_at: stamp,
    }))
    .executeTakeFirst();
  markDeliveriesDue(trx);
  return { resumed: Number(resumed.numUpdatedRows), discarded: 0 };
}
