import type { Kysely } from 'kysely';
import { companyTimeZone } from '../companies/company-settings.js';
import { findCustomer } from '../customers/customer-profile.js';
import { registerInTransaction, validateRegistration } from '../customers/register-customer.js';
import type { CustomerRow, Tables } from '../db/tables.js';
import { ZupyError } from '../errors.js';
import type { AppContext } from '../shared/context.js';
import { isStorableText } from '../shared/storable-text.js';
import { parseLocalDateTime } from '../shared/time-zone.js';
import { creditOrder } from './credit-order.js';
import type { OrderOutcome, SkipReasonCode } from './partner-inbox.js';
import { partnerNamed } from './partners/index.js';
import { identifiersOf, type Identifiers } from './order-identifiers.js';
import { ORDERED_AT_LEEWAY_MS } from './record-order.js';

/** The name of a customer enrolled from a feed that gave none. */
const UNNAMED = 'Cliente';

/** The company's customer with the phone, else the e-mail, else the CPF (the feeds' order). */
async function matchCustomer(
  trx: Kysely<Tables>,
  companyId: string,
  ids: Identifiers,
): Promise<CustomerRow | undefined> {
  for (const column of ['whatsapp', 'email', 'cpf'] as const) {
    const value = ids[column];
    if (value === null) continue;
    const row = await trx
      .selectFrom('customers')
      .select('member_id')
      .where('company_id', '=', companyId)
      .where(column, '=', value)
      .executeTakeFirst();
    if (row) return findCustomer(trx, companyId, row.member_id, true);
  }
  return undefined;
}

const skipped = (
  index: number,
  order_id: string | null,
  code: SkipReasonCode,
  reason: string,
  params: OrderOutcome['reason_params'] = null,
): OrderOutcome => ({
  index,
  order_id,
  outcome: 'skipped',
  member_id: null,
  enrolled: false,
  points_earned: null,
  reason,
  reason_code: code,
  reason_params: params,
});

/** The first field error of a refused enrolment: which field, its code and that code's params. */
function enrolmentParams(error: ZupyError): OrderOutcome['reason_params'] {
  const first = error.fieldErrors[0];
  if (first === undefined) return null;
  return { ...(first.params ?? {}), field: first.field, field_code: first.code };
}

/**
 * Processes one stored body inside the caller's transaction: each order is matched to its customer
 * (phone → e-mail → CPF), an unknown one is enrolled (channel `pos`, with its customer.registered)
 * when there is a phone to enroll them with, and credited once per (platform, order id). An order
 * that cannot be credited is skipped, and its reason reported; the body as a whole always succeeds
 * unless the database fails, so the transaction keeps every order's outcome or none.
 */
export async function processPartnerBody(
  trx: Kysely<Tables>,
  ctx: AppContext,
  row: { company_id: string; partner: string; body: string; received_at: string },
): Promise<OrderOutcome[]> {
  const adapter = partnerNamed(row.partner);
  if (adapter === undefined)
    return [
      skipped(0, null, 'unknown_partner', `unknown partner "${row.partner}"`, { partner: row.partner }),
    ];
  const timeZone = await companyTimeZone(trx, row.company_id);
  const now = ctx.clock();
  const outcomes: OrderOutcome[] = [];
  for (const [index, order] of adapter.orders(JSON.parse(row.body)).entries()) {
    const orderId = order.order_id;
    if (orderId === null || orderId.length > 100 || !isStorableText(orderId)) {
      outcomes.push(skipped(index, null, 'no_order_id', 'no order id'));
      continue;
    }
    if (order.value_cents === null || order.value_cents < 1) {
      outcomes.push(skipped(index, orderId, 'no_order_value', 'no order value, or not an amount in BRL'));
      continue;
    }
    const ids = identifiersOf(order);
    if (ids.whatsapp === null && ids.email === null && ids.cpf === null) {
      outcomes.push(
        skipped(index, orderId, 'no_customer_identifier', 'no customer identifier (phone, e-mail or CPF)'),
      );
      continue;
    }
    let customer = await matchCustomer(trx, row.company_id, ids);
    let enrolled = false;
    if (customer === undefined) {
      if (ids.whatsapp === null) {
        outcomes.push(
          skipped(
            index,
            orderId,
            'unknown_customer_no_phone',
            'unknown customer, and no phone to enroll them with',
          ),
        );
        continue;
      }
      const name = order.customer.name ?? UNNAMED;
      let valid;
      try {
        valid = validateRegistration({
          whatsapp: ids.whatsapp,
          name: isStorableText(name) ? name.slice(0, 200) : UNNAMED,
          email: ids.email,
          cpf: ids.cpf,
          channel: 'pos',
        });
      } catch (error) {
        if (!(error instanceof ZupyError)) throw error;
        outcomes.push(
          skipped(
            index,
            orderId,
            'cannot_enroll',
            `cannot enroll the customer: ${error.message}`,
            enrolmentParams(error),
          ),
        );
        continue;
      }
      const registration = await registerInTransaction(trx, ctx, row.company_id, valid);
      customer = await findCustomer(trx, row.company_id, registration.customer.member_id, true);
      enrolled = registration.created;
    }
    const placed = order.ordered_at === null ? null : parseLocalDateTime(order.ordered_at, timeZone);
    const orderedAt =
      placed !== null && placed.getTime() <= now.getTime() + ORDERED_AT_LEEWAY_MS
        ? placed
        : new Date(row.received_at);
    try {
      const { result, replayed } = await creditOrder(trx, ctx, customer, {
        platform: adapter.platform,
        order_id: orderId,
        value_cents: order.value_cents,
        payment_method: null,
        items: [],
        ordered_at: orderedAt,
      });
      outcomes.push({
        index,
        order_id: orderId,
        outcome: replayed ? 'duplicate' : 'credited',
        member_id: customer.member_id,
        enrolled,
        points_earned: replayed ? 0 : result.points_earned,
        reason: null,
        reason_code: null,
        reason_params: null,
      });
    } catch (error) {
      if (!(error instanceof ZupyError) || error.code !== 'ZUPY_CONFLICT') throw error;
      outcomes.push(
        skipped(
          index,
          orderId,
          'order_credited_elsewhere',
          'this order id was already credited to another customer',
        ),
      );
    }
  }
  return outcomes;
}
