import type { Kysely } from 'kysely';
import type { DisabledCode, Tables } from '../db/tables.js';
import { markDeliveriesDue } from '../db/deliveries-due.js';
import { nextProbeAt } from './failure-policy.js';

/**
 * An endpoint's enabled/disabled transitions (docs/webhooks.md "Disabled endpoints"), inside the
 * caller's transaction. Disabled means paused: its deliveries keep being recorded and wait, never
 * sent, retried or expired, until it is enabled again; then they flow, oldest first, each member's
 * in order. An endpoint disabled for a failure streak is probed on the probe schedule; one that
 * answered 410 Gone, or that a person disabled, is not.
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
}

export async function disableEndpoint(
  trx: Kysely<Tables>,
  endpointId: string,
  input: DisableInput,
): Promise<{ nextProbeAt: string | null }> {
  const stamp = input.now.toISOString();
  const probe =
    input.code === 'failure_streak' ? nextProbeAt(0, input.probeSchedule, input.now).toISOString() : null;
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
  options: { now: Date; discardHeld?: boolean },
): Promise<EnableResult> {
  const stamp = options.now.toISOString();
  await trx
    .updateTable('webhook_endpoints')
    .set({
      enabled: 1,
      disabled_reason: null,
      disabled_code: null,
      disabled_at: null,
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

/** The endpoint's held deliveries (its pending ones while disabled): through its due index. */
export async function heldCount(db: Kysely<Tables>, endpointId: string): Promise<number> {
  const row = await db
    .selectFrom('deliveries')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('endpoint_id', '=', endpointId)
    .where('status', '=', 'pending')
    .where('next_attempt_at', 'is not', null)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}
