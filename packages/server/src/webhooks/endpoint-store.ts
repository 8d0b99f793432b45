import { Type, type Static } from 'typebox';
import { IsoTimestamp } from '../http/schemas.js';
import { EVENT_TYPES, generateSecret } from '@zupy/webhooks';
import type { Kysely } from 'kysely';
import { lockForUpdate } from '../db/row-locks.js';
import type { EndpointOrdering, EndpointRow, Tables } from '../db/tables.js';
import { ZupyError, invalidField, notFound } from '../errors.js';
import type { DeliveryContext } from '../delivery/delivery-context.js';
import { newId } from '../shared/random-chars.js';
import { apiTimestamp } from '../shared/timestamps.js';
import { validateEndpointUrl } from './endpoint-url.js';
import { runInTransaction } from '../db/transaction.js';
import { disableEndpoint, enableEndpoint } from '../delivery/endpoint-state.js';
import { queuedFor } from '../delivery/endpoint-counts.js';
import { releaseAllWaiting } from '../delivery/delivery-order.js';

/** Per company (CONTRACT §1). */
export const MAX_ENDPOINTS_PER_COMPANY = 10;
export const DEFAULT_ROTATION_GRACE_SECONDS = 24 * 3600;
export const MAX_ROTATION_GRACE_SECONDS = 7 * 24 * 3600;

export const OrderingSchema = Type.Union([Type.Literal('member'), Type.Literal('none')], {
  description:
    '`member` (default): one member’s deliveries to this endpoint go in the order their events were recorded, each waiting while an earlier one is pending; `none`: no order, for raw throughput',
});

/** Deliveries per second an owner may ask for (`rate_limit`). */
export const MAX_RATE_LIMIT = 1000;

export const RateLimitSchema = Type.Union(
  [Type.Integer({ minimum: 1, maximum: MAX_RATE_LIMIT }), Type.Null()],
  {
    description: `At most this many deliveries per second to this endpoint (1 to ${MAX_RATE_LIMIT}), across every worker; null (default): no limit`,
  },
);

export const EndpointSchema = Type.Object({
  id: Type.String({ examples: ['ep_3kT9xQ…'] }),
  url: Type.String(),
  events: Type.Array(Type.String()),
  enabled: Type.Boolean(),
  description: Type.Union([Type.String(), Type.Null()]),
  ordering: OrderingSchema,
  disabled_reason: Type.Union([Type.String(), Type.Null()], {
    description: 'Why it is disabled: a 410 Gone, failing every attempt for days, or a person',
  }),
  disabled_code: Type.Union(
    [Type.Literal('gone'), Type.Literal('failure_streak'), Type.Literal('manual'), Type.Null()],
    { description: 'Why it is disabled, as a code; null while enabled' },
  ),
  disabled_at: Type.Union([IsoTimestamp, Type.Null()]),
  next_probe_at: Type.Union([IsoTimestamp, Type.Null()], {
    description:
      'When Zupy probes it next (disabled for a failure streak only; a 2xx re-enables it). Null when it is not probed: enabled, gone (410) or disabled by a person',
  }),
  held_deliveries: Type.Integer({
    description: 'Deliveries waiting for it to be enabled again (0 while enabled)',
  }),
  rate_limit: RateLimitSchema,
  concurrency_limit: Type.Union([Type.Integer(), Type.Null()], {
    description:
      'How many deliveries may be in flight to it at once now: adapted by the worker to its answers (grows on quick 2xx, drops on 429, 503, timeouts and connection errors), as last reported by a worker (each worker has its own); null before any delivery',
  }),
  paused_until: Type.Union([IsoTimestamp, Type.Null()], {
    description:
      'It answered 429 or 503 with Retry-After: none of its deliveries is sent before this time, then a single one first. Null when not paused',
  }),
  created_at: IsoTimestamp,
  updated_at: IsoTimestamp,
});
/** An endpoint as the API shows it (no secret). */
export type EndpointView = Static<typeof EndpointSchema>;

export interface EndpointInput {
  url: string;
  events?: string[] | undefined;
  description?: string | null | undefined;
  ordering?: EndpointOrdering | undefined;
  rate_limit?: number | null | undefined;
}

export function toEndpointView(row: EndpointRow, heldDeliveries = 0, now = new Date()): EndpointView {
  return {
    id: row.id,
    url: row.url,
    events: JSON.parse(row.events) as string[],
    enabled: row.enabled === 1,
    description: row.description,
    ordering: row.ordering,
    disabled_reason: row.disabled_reason,
    disabled_code: row.enabled === 1 ? null : row.disabled_code,
    disabled_at: row.disabled_at && row.enabled === 0 ? apiTimestamp(row.disabled_at) : null,
    next_probe_at: row.next_probe_at && row.enabled === 0 ? apiTimestamp(row.next_probe_at) : null,
    held_deliveries: heldDeliveries,
    rate_limit: row.rate_limit,
    concurrency_limit: row.concurrency_limit,
    paused_until:
      row.paused_until !== null && row.paused_until > now.toISOString()
        ? apiTimestamp(row.paused_until)
        : null,
    created_at: apiTimestamp(row.created_at),
    updated_at: apiTimestamp(row.updated_at),
  };
}

/** The view with its held deliveries counted (disabled endpoints only). */
export async function endpointView(db: Kysely<Tables>, row: EndpointRow): Promise<EndpointView> {
  return toEndpointView(row, row.enabled === 0 ? await queuedFor(db, row.id) : 0);
}

/** Event types, deduplicated, in the documented order; empty means every customer event (no operational one). */
function normalizeEvents(events: readonly string[] | undefined): string[] {
  const wanted = new Set(events ?? []);
  return EVENT_TYPES.filter((t) => wanted.has(t));
}

/** A live endpoint of this company; another company's is as unknown as a missing one (404). */
export async function findEndpoint(db: Kysely<Tables>, companyId: string, id: string): Promise<EndpointRow> {
  const row = await db
    .selectFrom('webhook_endpoints')
    .selectAll()
    .where('id', '=', id)
    .where('company_id', '=', companyId)
    .where('deleted_at', 'is', null)
    .executeTakeFirst();
  if (!row) throw notFound(`webhook endpoint ${id}`);
  return row;
}

export async function listEndpoints(db: Kysely<Tables>, companyId: string): Promise<EndpointRow[]> {
  return db
    .selectFrom('webhook_endpoints')
    .selectAll()
    .where('company_id', '=', companyId)
    .where('deleted_at', 'is', null)
    .orderBy('created_at')
    .orderBy('id')
    .execute();
}

export async function createEndpoint(
  ctx: DeliveryContext,
  companyId: string,
  input: EndpointInput,
): Promise<EndpointView & { secret: string }> {
  const url = await validateEndpointUrl(ctx.webhooks, input.url);
  const id = newId('ep');
  const secret = generateSecret();
  const stamp = ctx.clock().toISOString();
  await runInTransaction(ctx.db, async (trx) => {
    // Serialize endpoint creation per company, so two requests cannot both take the 10th slot.
    await lockForUpdate(trx.selectFrom('companies').select('id').where('id', '=', companyId), trx).execute();
    const existing = await listEndpoints(trx, companyId);
    if (existing.length >= MAX_ENDPOINTS_PER_COMPANY) {
      throw new ZupyError(
        'ZUPY_LIMIT_REACHED',
        `a company may have at most ${MAX_ENDPOINTS_PER_COMPANY} webhook endpoints; delete one first`,
      );
    }
    await trx
      .insertInto('webhook_endpoints')
      .values({
        id,
        company_id: companyId,
        url,
        description: input.description ?? null,
        events: JSON.stringify(normalizeEvents(input.events)),
        enabled: 1,
        disabled_reason: null,
        secret_ciphertext: ctx.webhooks.secretBox.seal(secret, id),
        previous_secret_ciphertext: null,
        previous_secret_expires_at: null,
        failing_since: null,
        ordering: input.ordering ?? 'member',
        rate_limit: input.rate_limit ?? null,
        disabled_code: null,
        disabled_at: null,
        next_probe_at: null,
        created_at: stamp,
        updated_at: stamp,
        deleted_at: null,
      })
      .execute();
    // What was created, for the audit entry written in this transaction (audit/audit-scope.ts).
    return { id };
  });
  return { ...(await endpointView(ctx.db, await findEndpoint(ctx.db, companyId, id))), secret };
}

export interface EndpointPatch {
  url?: string | undefined;
  events?: string[] | undefined;
  description?: string | null | undefined;
  enabled?: boolean | undefined;
  ordering?: EndpointOrdering | undefined;
  rate_limit?: number | null | undefined;
  /** With `enabled: true`: drop the deliveries held while it was disabled instead of sending them. */
  discard_held?: boolean | undefined;
}

/**
 * Enabling resumes the held deliveries (oldest first) or, with `discard_held`, drops them; it clears
 * the reason and the failure streak. Disabling by hand holds new deliveries; such an endpoint is
 * never probed. Turning ordering off releases whatever waited for an earlier delivery.
 */
export async function updateEndpoint(
  ctx: DeliveryContext,
  companyId: string,
  id: string,
  patch: EndpointPatch,
): Promise<EndpointView> {
  if (patch.discard_held === true && patch.enabled !== true) {
    throw invalidField('discard_held', 'only_with_enabled', 'may only be given with "enabled": true');
  }
  const row = await findEndpoint(ctx.db, companyId, id);
  const url = patch.url !== undefined ? await validateEndpointUrl(ctx.webhooks, patch.url) : row.url;
  const now = ctx.clock();
  await runInTransaction(ctx.db, async (trx) => {
    // The row as of now, locked: a worker may have disabled it since it was read.
    const current = await lockForUpdate(
      trx.selectFrom('webhook_endpoints').select(['enabled', 'ordering']).where('id', '=', id),
      trx,
    ).executeTakeFirstOrThrow();
    await trx
      .updateTable('webhook_endpoints')
      .set({
        url,
        events: patch.events !== undefined ? JSON.stringify(normalizeEvents(patch.events)) : row.events,
        description: patch.description !== undefined ? patch.description : row.description,
        ordering: patch.ordering ?? current.ordering,
        // A new rate starts its pacing afresh.
        ...(patch.rate_limit !== undefined ? { rate_limit: patch.rate_limit, rate_slot_ms: null } : {}),
        updated_at: now.toISOString(),
      })
      .where('id', '=', id)
      .execute();
    if (patch.enabled === true && current.enabled === 0) {
      await enableEndpoint(trx, id, { now, by: 'operator', discardHeld: patch.discard_held === true });
    } else if (patch.enabled === false && current.enabled === 1) {
      await disableEndpoint(trx, id, {
        code: 'manual',
        message: 'disabled by a person (API or admin panel)',
        now,
        probeSchedule: ctx.webhooks.probeSchedule,
      });
    }
    if (patch.ordering === 'none' && current.ordering === 'member') await releaseAllWaiting(trx, id, now);
  });
  return endpointView(ctx.db, await findEndpoint(ctx.db, companyId, id));
}

/**
 * Deletes an endpoint; its deliveries stay in the log, and the pending and held ones end as failed:
 * deleting drops the endpoint's pending work (disable it instead to keep it).
 */
export async function deleteEndpoint(ctx: DeliveryContext, companyId: string, id: string): Promise<void> {
  await findEndpoint(ctx.db, companyId, id);
  const stamp = ctx.clock().toISOString();
  await runInTransaction(ctx.db, async (trx) => {
    await trx
      .updateTable('webhook_endpoints')
      .set({ deleted_at: stamp, enabled: 0, updated_at: stamp })
      .where('id', '=', id)
      .execute();
    await trx
      .updateTable('deliveries')
      .set({ status: 'failed', next_attempt_at: null, updated_at: stamp })
      .where('endpoint_id', '=', id)
      .where('status', '=', 'pending')
      .execute();
  });
}

export async function revealSecret(
  ctx: DeliveryContext,
  companyId: string,
  id: string,
): Promise<{ secret: string }> {
  const row = await findEndpoint(ctx.db, companyId, id);
  return { secret: ctx.webhooks.secretBox.open(row.secret_ciphertext, row.id) };
}

/**
 * A new secret, current at once (revealed by `GET …/secret/`). For `graceSeconds` the old one keeps
 * signing `X-Zupy-Signature` and signs `webhook-signature` beside the new one (`endpointSecrets`);
 * then the new one signs both. `0` switches both at once. Rotating again during a grace period
 * starts a new one: the secret that was current becomes the previous one, the one before it stops.
 */
export async function rotateSecret(
  ctx: DeliveryContext,
  companyId: string,
  id: string,
  graceSeconds: number = DEFAULT_ROTATION_GRACE_SECONDS,
): Promise<{ secret: string; previous_secret_expires_at: string | null }> {
  const row = await findEndpoint(ctx.db, companyId, id);
  const now = ctx.clock();
  const secret = generateSecret();
  const expires = graceSeconds > 0 ? new Date(now.getTime() + graceSeconds * 1000).toISOString() : null;
  // In a transaction of its own: the request's audit entry is written in it (audit/audit-scope.ts).
  await runInTransaction(ctx.db, (trx) =>
    trx
      .updateTable('webhook_endpoints')
      .set({
        secret_ciphertext: ctx.webhooks.secretBox.seal(secret, id),
        previous_secret_ciphertext: expires ? row.secret_ciphertext : null,
        previous_secret_expires_at: expires,
        updated_at: now.toISOString(),
      })
      .where('id', '=', id)
      .execute(),
  );
  return { secret, previous_secret_expires_at: expires ? apiTimestamp(expires) : null };
}

/** `whsec_********…abcd`: enough to recognise a secret, not to use it. */
export function maskSecret(secret: string): string {
  return 'whsec_' + '*'.repeat(Math.max(0, secret.length - 10)) + secret.slice(-4);
}
