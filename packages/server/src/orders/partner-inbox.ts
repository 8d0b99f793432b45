import { createHash } from 'node:crypto';
import { isUniqueViolation } from '../db/constraint-error.js';
import type { PartnerInboxTable } from '../db/tables.js';
import type { Selectable } from 'kysely';
import { ZupyError } from '../errors.js';
import type { AppContext } from '../shared/context.js';
import { toPage, type ListSource, type Page } from '../shared/cursor.js';
import { newId } from '../shared/random-chars.js';
import { apiTimestamp } from '../shared/timestamps.js';
import { PARTNERS, partnerNamed } from './partners/index.js';

/** What became of one order of a body. */
export interface OrderOutcome {
  /** Its position in the body, from 0. */
  index: number;
  order_id: string | null;
  outcome: 'credited' | 'duplicate' | 'skipped';
  member_id: string | null;
  /** True when the customer was unknown and enrolled for this order (channel `pos`). */
  enrolled: boolean;
  points_earned: number | null;
  /** Why it was skipped, in English; null otherwise. */
  reason: string | null;
  /** The same as a stable code (SKIP_REASON_CODES); null unless skipped. */
  reason_code: SkipReasonCode | null;
  /** What the code's message needs (`partner`; `field`, `field_code` and its params); null if nothing. */
  reason_params: Readonly<Record<string, string | number>> | null;
}

/**
 * Why an order of a partner's body was skipped, as a stable code beside the English `reason`: the
 * admin panel translates by it. `other` stands for a reason stored before the codes were.
 */
export const SKIP_REASON_CODES = {
  unknown_partner: 'the body was stored for a partner Zupy no longer reads (`partner`)',
  no_order_id: 'the order has no order id (or one over 100 characters)',
  no_order_value: 'the order has no value, or not an amount in BRL above 0',
  no_customer_identifier: 'the order names no phone, e-mail or CPF',
  unknown_customer_no_phone: 'no customer matches, and there is no phone to enroll one with',
  cannot_enroll:
    'the new customer’s data is invalid: `field` and `field_code` (a field error code, with its params)',
  order_credited_elsewhere: 'this order id was already credited to another customer',
  other: 'anything else: read `reason`',
} as const;

export type SkipReasonCode = keyof typeof SKIP_REASON_CODES;

export interface InboxEntry {
  id: string;
  partner: string;
  status: 'pending' | 'processed' | 'failed';
  received_at: string;
  processed_at: string | null;
  attempts: number;
  last_error: string | null;
  summary: { orders: number; credited: number; duplicate: number; skipped: number; enrolled: number } | null;
  orders: OrderOutcome[] | null;
}

export type Received = { status: 'received' | 'duplicate'; id: string };

/**
 * Stores a partner's body as it came (its exact bytes, hashed), before it is answered: a crash after
 * the answer loses nothing, the worker processes it (process-inbox.ts). The same bytes again are a
 * duplicate of the first.
 */
export async function receivePartnerBody(
  ctx: AppContext,
  companyId: string,
  partner: string,
  raw: Buffer,
): Promise<Received> {
  if (partnerNamed(partner) === undefined) {
    throw new ZupyError(
      'ZUPY_NOT_FOUND',
      `unknown partner "${partner}"; Zupy reads the feeds of ${Object.keys(PARTNERS).join(', ')}`,
      {
        fieldErrors: [
          {
            field: 'partner',
            code: 'one_of',
            detail: `must be one of ${Object.keys(PARTNERS).join(', ')}`,
            params: { values: Object.keys(PARTNERS).join(', ') },
          },
        ],
      },
    );
  }
  const sha256 = createHash('sha256').update(raw).digest('hex');
  const existing = () =>
    ctx.db
      .selectFrom('partner_inbox')
      .select('id')
      .where('company_id', '=', companyId)
      .where('body_sha256', '=', sha256)
      .executeTakeFirst();
  const first = await existing();
  if (first) return { status: 'duplicate', id: first.id };
  const id = newId('inb');
  try {
    await ctx.db
      .insertInto('partner_inbox')
      .values({
        id,
        company_id: companyId,
        partner,
        body: raw.toString('utf8'),
        body_sha256: sha256,
        received_at: ctx.clock().toISOString(),
        lease_expires_at: null,
        processed_at: null,
        outcomes: null,
        last_error: null,
      })
      .execute();
  } catch (error) {
    // The same body, twice at once: the second is a duplicate of the first.
    const winner = isUniqueViolation(error) ? await existing() : undefined;
    if (winner) return { status: 'duplicate', id: winner.id };
    throw error;
  }
  return { status: 'received', id };
}

/** An outcome as stored: before the codes, a skipped one had only its `reason`. */
type StoredOutcome = Omit<OrderOutcome, 'reason_code' | 'reason_params'> &
  Partial<Pick<OrderOutcome, 'reason_code' | 'reason_params'>>;

function withReasonCode(o: StoredOutcome): OrderOutcome {
  const known = o.reason_code != null && Object.hasOwn(SKIP_REASON_CODES, o.reason_code);
  return {
    ...o,
    reason_code: o.outcome !== 'skipped' ? null : known ? o.reason_code! : 'other',
    reason_params: known ? (o.reason_params ?? null) : null,
  };
}

function toEntry(row: Selectable<PartnerInboxTable>): InboxEntry {
  const orders =
    row.outcomes === null ? null : (JSON.parse(row.outcomes) as StoredOutcome[]).map(withReasonCode);
  const count = (o: OrderOutcome['outcome']) => orders?.filter((x) => x.outcome === o).length ?? 0;
  return {
    id: row.id,
    partner: row.partner,
    status: row.processed_at === null ? 'pending' : orders === null ? 'failed' : 'processed',
    received_at: apiTimestamp(row.received_at),
    processed_at: row.processed_at === null ? null : apiTimestamp(row.processed_at),
    attempts: Number(row.attempts),
    last_error: row.last_error,
    summary:
      orders === null
        ? null
        : {
            orders: orders.length,
            credited: count('credited'),
            duplicate: count('duplicate'),
            skipped: count('skipped'),
            enrolled: orders.filter((o) => o.enrolled).length,
          },
    orders,
  };
}

/** The company's received bodies, newest first, with what became of each order. */
export async function listInbox(
  source: ListSource,
  companyId: string,
  query: { cursor?: string | undefined; pageSize: number },
): Promise<Page<InboxEntry>> {
  const before = source.cursors.decode(companyId, query.cursor);
  let q = source.db
    .selectFrom('partner_inbox')
    .selectAll()
    .where('company_id', '=', companyId)
    .orderBy('seq', 'desc')
    .limit(query.pageSize + 1);
  if (before !== undefined) q = q.where('seq', '<', before);
  const rows = await q.execute();
  return toPage(rows, query.pageSize, (r) => Number(r.seq), toEntry, {
    cursors: source.cursors,
    companyId,
  });
}
