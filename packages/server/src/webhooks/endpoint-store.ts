import { Type, type Static } from 'typebox';
import { IsoTimestamp } from '../http/schemas.js';
import { EVENT_TYPES, generateSecret } from '@zupy/webhooks';
import type { Kysely } from 'kysely';
import { lockForUpdate } from '../db/row-locks.js';
import type { EndpointRow, Tables } from '../db/tables.js';
import { ZupyError, notFound } from '../errors.js';
import type { DeliveryContext } from '../delivery/delivery-context.js';
import { newId } from '../shared/random-chars.js';
import { apiTimestamp } from '../shared/timestamps.js';
import { validateEndpointUrl } from './endpoint-url.js';
import { markDeliveriesDue } from '../db/deliveries-due.js';
import { runInTransaction } from '../db/transaction.js';

/** Per company (CONTRACT §1). */
export const MAX_ENDPOINTS_PER_COMPANY = 10;
export const DEFAULT_ROTATION_GRACE_SECONDS = 24 * 3600;
export const MAX_ROTATION_GRACE_SECONDS = 7 * 24 * 3600;

export const EndpointSchema = Type.Object({
  id: Type.String({ examples: ['ep_3kT9xQ…'] }),
  url: Type.String(),
  events: Type.Array(Type.String()),
  enabled: Type.Boolean(),
  description: Type.Union([Type.String(), Type.Null()]),
  disabled_reason: Type.Union([Type.String(), Type.Null()], {
    description: 'Why Zupy disabled it: a 410 Gone, or failing every attempt for days',
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
}

export function toEndpointView(row: EndpointRow): EndpointView {
  return {
    id: row.id,
    url: row.url,
    events: JSON.parse(row.events) as string[],
    enabled: row.enabled === 1,
    description: row.description,
    disabled_reason: row.disabled_reason,
    created_at: apiTimestamp(row.created_at),
    updated_at: apiTimestamp(row.updated_at),
  };
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
        created_at: stamp,
        updated_at: stamp,
        deleted_at: null,
      })
      .execute();
  });
  return { ...toEndpointView(await findEndpoint(ctx.db, companyId, id)), secret };
}

export interface EndpointPatch {
  url?: string | undefined;
  events?: string[] | undefined;
  description?: string | null | undefined;
  enabled?: boolean | undefined;
}

/** Re-enabling clears the reason Zupy disabled it and the failure streak. */
export async function updateEndpoint(
  ctx: DeliveryContext,
  companyId: string,
  id: string,
  patch: EndpointPatch,
): Promise<EndpointView> {
  const row = await findEndpoint(ctx.db, companyId, id);
  const url = patch.url !== undefined ? await validateEndpointUrl(ctx.webhooks, patch.url) : row.url;
  const enabling = patch.enabled === true && row.enabled === 0;
  await runInTransaction(ctx.db, async (trx) => {
    await trx
      .updateTable('webhook_endpoints')
      .set({
        url,
        events: patch.events !== undefined ? JSON.stringify(normalizeEvents(patch.events)) : row.events,
        description: patch.description !== undefined ? patch.description : row.description,
        enabled: patch.enabled === undefined ? row.enabled : patch.enabled ? 1 : 0,
        disabled_reason: patch.enabled === undefined ? row.disabled_reason : null,
        failing_since: enabling ? null : row.failing_since,
        updated_at: ctx.clock().toISOString(),
      })
      .where('id', '=', id)
      .execute();
    // What queued up while it was disabled is due again.
    if (enabling) markDeliveriesDue(trx);
  });
  return toEndpointView(await findEndpoint(ctx.db, companyId, id));
}

/** Deletes an endpoint; its deliveries stay in the log, and the pending ones end as failed. */
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

/** A new secret at once; the old one keeps signing `webhook-signature` for `graceSeconds`. */
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
  await ctx.db
    .updateTable('webhook_endpoints')
    .set({
      secret_ciphertext: ctx.webhooks.secretBox.seal(secret, id),
      previous_secret_ciphertext: expires ? row.secret_ciphertext : null,
      previous_secret_expires_at: expires,
      updated_at: now.toISOString(),
    })
    .where('id', '=', id)
    .execute();
  return { secret, previous_secret_expires_at: expires ? apiTimestamp(expires) : null };
}

/** `whsec_********…abcd`: enough to recognise a secret, not to use it. */
export function maskSecret(secret: string): string {
  return 'whsec_' + '*'.repeat(Math.max(0, secret.length - 10)) + secret.slice(-4);
}
