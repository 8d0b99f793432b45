import type { Kysely } from 'kysely';
import {
  WAITING_FOR_PREDECESSOR,
  type DeliveryKind,
  type DeliveryRow,
  type DeliveryStatus,
  type Tables,
} from '../db/tables.js';
import { ZupyError, notFound } from '../errors.js';
import type { DeliveryContext } from './delivery-context.js';
import { toPage, type ListSource, type Page } from '../shared/cursor.js';
import { apiTimestamp } from '../shared/timestamps.js';
import { scheduleReplay } from './replay-deliveries.js';
import { ATTEMPT_ERROR_CODES, type AttemptErrorCode, type AttemptErrorParams } from './attempt-error.js';

/**
 * An attempt's stored code and params as answered: `other` for an error recorded before codes were
 * (migration 0016), or with a code this version does not know.
 */
export function attemptErrorCode(row: {
  error: string | null;
  error_code: string | null;
  error_params: string | null;
}): { error_code: AttemptErrorCode | null; error_params: AttemptErrorParams | null } {
  if (row.error === null && row.error_code === null) return { error_code: null, error_params: null };
  const known = row.error_code !== null && Object.hasOwn(ATTEMPT_ERROR_CODES, row.error_code);
  return {
    error_code: known ? (row.error_code as AttemptErrorCode) : 'other',
    error_params:
      known && row.error_params !== null ? (JSON.parse(row.error_params) as AttemptErrorParams) : null,
  };
}

/** A delivery's state as shown: `held` is a pending delivery of a disabled endpoint. */
export type DeliveryState = DeliveryStatus | 'held';

export interface DeliveryView {
  id: string;
  event_id: string;
  event_type: string;
  endpoint_id: string;
  status: DeliveryState;
  attempts_count: number;
  next_attempt_at: string | null;
  /** The member's earlier delivery to the same endpoint this one waits for (per-member order). */
  waiting_for: string | null;
  kind: DeliveryKind;
  test: boolean;
  created_at: string;
}

export interface DeliveryAttemptView {
  attempt: number;
  started_at: string;
  duration_ms: number;
  request_headers: Record<string, string>;
  response_status: number | null;
  response_body: string | null;
  error: string | null;
  error_code: AttemptErrorCode | null;
  error_params: AttemptErrorParams | null;
}

/** A delivery row with what its view needs from its endpoint and its predecessor. */
export type ShownDelivery = DeliveryRow & { endpoint_enabled: number | null; waiting_for_id: string | null };

export function toDeliveryView(row: ShownDelivery): DeliveryView {
  const held = row.status === 'pending' && row.endpoint_enabled === 0;
  const waiting = row.next_attempt_at === WAITING_FOR_PREDECESSOR;
  return {
    id: row.id,
    event_id: row.event_id,
    event_type: row.event_type,
    endpoint_id: row.endpoint_id,
    status: held ? 'held' : row.status,
    attempts_count: Number(row.attempts_count),
    next_attempt_at: row.next_attempt_at && !waiting && !held ? apiTimestamp(row.next_attempt_at) : null,
    waiting_for: waiting ? row.waiting_for_id : null,
    kind: row.kind,
    test: row.is_test === 1,
    created_at: apiTimestamp(row.created_at),
  };
}

/** Deliveries with their endpoint's `enabled` and the id of the delivery each waits for. */
function shownDeliveries(db: Kysely<Tables>) {
  return withPredecessor(withEndpoint(db));
}

function withEndpoint(db: Kysely<Tables>) {
  return db.selectFrom('deliveries').leftJoin('webhook_endpoints as ep', 'ep.id', 'deliveries.endpoint_id');
}

function withPredecessor(q: ReturnType<typeof withEndpoint>) {
  return q
    .leftJoin('deliveries as before', 'before.seq', 'deliveries.waits_for')
    .selectAll('deliveries')
    .select(['ep.enabled as endpoint_enabled', 'before.id as waiting_for_id']);
}

export interface DeliveryFilter {
  endpointId?: string | undefined;
  status?: DeliveryState | undefined;
  event?: string | undefined;
  cursor?: string | undefined;
  pageSize: number;
  /** Count every match (all pages) into `meta.total`. */
  includeTotal?: boolean;
}

export type DeliveryPage = Page<DeliveryView> & { meta: { total?: number } };

/** The company's deliveries, newest first. */
export async function listDeliveries(
  source: ListSource,
  companyId: string,
  filter: DeliveryFilter,
): Promise<DeliveryPage> {
  const before = source.cursors.decode(companyId, filter.cursor);
  const matches = matchingDeliveries(source.db, companyId, filter);
  let q = withPredecessor(matches)
    .orderBy('deliveries.seq', 'desc')
    .limit(filter.pageSize + 1);
  if (before !== undefined) q = q.where('deliveries.seq', '<', before);
  const page: DeliveryPage = toPage(
    await q.execute(),
    filter.pageSize,
    (r) => Number(r.seq),
    toDeliveryView,
    {
      cursors: source.cursors,
      companyId,
    },
  );
  if (filter.includeTotal) {
    const counted = await matches
      .select((eb) => eb.fn.countAll<number | string>().as('n'))
      .executeTakeFirst();
    page.meta.total = Number(counted?.n ?? 0);
  }
  return page;
}

/** The company's deliveries matching the endpoint, status and event filters (no cursor: all pages). */
function matchingDeliveries(db: Kysely<Tables>, companyId: string, filter: DeliveryFilter) {
  let q = withEndpoint(db).where('deliveries.company_id', '=', companyId);
  if (filter.endpointId !== undefined) q = q.where('deliveries.endpoint_id', '=', filter.endpointId);
  if (filter.status === 'held' || filter.status === 'pending') {
    q = q
      .where('deliveries.status', '=', 'pending')
      .where('ep.enabled', '=', filter.status === 'held' ? 0 : 1);
  } else if (filter.status !== undefined) q = q.where('deliveries.status', '=', filter.status);
  if (filter.event !== undefined) q = q.where('deliveries.event_type', '=', filter.event);
  return q;
}

async function findDelivery(db: Kysely<Tables>, companyId: string, id: string): Promise<ShownDelivery> {
  const row = await shownDeliveries(db)
    .where('deliveries.id', '=', id)
    .where('deliveries.company_id', '=', companyId)
    .executeTakeFirst();
  if (!row) throw notFound(`delivery ${id}`);
  return row;
}

/** What the detail of a delivery adds: where it goes, the exact bytes it sends, every attempt. */
export interface DeliveryDetailView extends DeliveryView {
  /** The endpoint's URL and description; null once the endpoint is deleted. */
  endpoint_url: string | null;
  endpoint_description: string | null;
  /** The body, exactly the bytes signed and sent (an erased customer's scrubbed one after erasure). */
  body: string | null;
  attempts: DeliveryAttemptView[];
}

/**
 * One delivery with its endpoint's URL, the exact body it sends and every attempt: request headers,
 * status, the first 4 KB of the answer, the error.
 */
export async function getDelivery(
  db: Kysely<Tables>,
  companyId: string,
  id: string,
): Promise<DeliveryDetailView> {
  const row = await findDelivery(db, companyId, id);
  const endpoint = await db
    .selectFrom('webhook_endpoints')
    .select(['url', 'description'])
    .where('id', '=', row.endpoint_id)
    .where('company_id', '=', companyId)
    .executeTakeFirst();
  const event = await db
    .selectFrom('events')
    .select('body')
    .where('id', '=', row.event_id)
    .where('company_id', '=', companyId)
    .executeTakeFirst();
  const attempts = await db
    .selectFrom('delivery_attempts')
    .selectAll()
    .where('delivery_id', '=', id)
    .orderBy('attempt')
    .execute();
  return {
    ...toDeliveryView(row),
    endpoint_url: endpoint?.url ?? null,
    endpoint_description: endpoint?.description ?? null,
    body: event?.body ?? null,
    attempts: attempts.map((a) => ({
      attempt: Number(a.attempt),
      started_at: a.started_at,
      duration_ms: Number(a.duration_ms),
      request_headers: JSON.parse(a.request_headers) as Record<string, string>,
      response_status: a.response_status,
      response_body: a.response_body,
      error: a.error,
      ...attemptErrorCode(a),
    })),
  };
}

/**
 * Sends a delivery again, now, with a fresh retry series: attempts keep counting up
 * (`X-Zupy-Attempt`), the event id and body stay the same.
 */
export async function redeliver(ctx: DeliveryContext, companyId: string, id: string): Promise<DeliveryView> {
  const row = await findDelivery(ctx.db, companyId, id);
  const endpoint = await ctx.db
    .selectFrom('webhook_endpoints')
    .select(['enabled', 'deleted_at'])
    .where('id', '=', row.endpoint_id)
    .executeTakeFirst();
  if (!endpoint || endpoint.deleted_at !== null)
    throw new ZupyError('ZUPY_CONFLICT', 'the endpoint of this delivery was deleted');
  if (endpoint.enabled === 0)
    throw new ZupyError('ZUPY_CONFLICT', 'the endpoint of this delivery is disabled; enable it first');
  const event = await ctx.db
    .selectFrom('events')
    .select('erased_at')
    .where('id', '=', row.event_id)
    .executeTakeFirst();
  if (event?.erased_at != null)
    throw new ZupyError(
      'ZUPY_CONFLICT',
      'the customer this delivery was about was erased; it is never sent again',
    );
  await scheduleReplay(ctx.db, [id], { now: ctx.clock(), ratePerSecond: 1 });
  return toDeliveryView(await findDelivery(ctx.db, companyId, id));
}
