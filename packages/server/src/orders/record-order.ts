import type { EarningPlatform } from '@zupy/webhooks';
import { findCustomer } from '../customers/customer-profile.js';
import { isUniqueViolation } from '../db/constraint-error.js';
import { runInTransaction } from '../db/transaction.js';
import { ZupyError, type FieldError } from '../errors.js';
import type { AppContext } from '../shared/context.js';
import { toCents } from '../shared/money.js';
import { isStorableText, UNSTORABLE_TEXT_DETAIL } from '../shared/storable-text.js';
import { creditOrder, type CreditedOrder, type Order } from './credit-order.js';

export interface OrderInput {
  order_id: string;
  /** BRL, at most two decimals. */
  order_value: number;
  platform: EarningPlatform;
  payment_method?: string | undefined;
  items?: { name: string; category?: string | undefined; quantity: number; unit_price: number }[] | undefined;
  ordered_at?: string | undefined;
}

/** How far in the future an `ordered_at` may be (clocks of tills drift); later is refused. */
export const ORDERED_AT_LEEWAY_MS = 5 * 60_000;

/** Checks an order from the API and takes its money to centavos. */
export function validateOrder(input: OrderInput, now: Date): Order {
  const errors: FieldError[] = [];
  const orderId = input.order_id.trim();
  if (orderId === '') errors.push({ field: 'order_id', code: 'required', detail: 'is required' });
  let orderedAt = now;
  if (input.ordered_at !== undefined) {
    const parsed = new Date(input.ordered_at);
    if (Number.isNaN(parsed.getTime()) || !/^\d{4}-\d\d-\d\dT\d\d:\d\d/.test(input.ordered_at))
      errors.push({
        field: 'ordered_at',
        code: 'datetime_invalid',
        detail: 'must be an ISO 8601 date and time, like 2025-08-26T19:30:00-03:00',
      });
    else if (parsed.getTime() > now.getTime() + ORDERED_AT_LEEWAY_MS)
      errors.push({ field: 'ordered_at', code: 'in_future', detail: 'is in the future' });
    else orderedAt = parsed;
  }
  const texts: [string, string | undefined][] = [
    ['order_id', input.order_id],
    ['payment_method', input.payment_method],
    ...(input.items ?? []).flatMap((item, i): [string, string | undefined][] => [
      [`items[${i}].name`, item.name],
      [`items[${i}].category`, item.category],
    ]),
  ];
  for (const [field, text] of texts)
    if (text !== undefined && !isStorableText(text))
      errors.push({ field, code: 'unstorable_text', detail: UNSTORABLE_TEXT_DETAIL });
  if (errors.length > 0) {
    throw new ZupyError('ZUPY_VALIDATION_FAILED', errors.map((e) => `${e.field} ${e.detail}`).join('; '), {
      fieldErrors: errors,
    });
  }
  return {
    platform: input.platform,
    order_id: orderId,
    value_cents: toCents(input.order_value),
    payment_method: input.payment_method?.trim() || null,
    items: (input.items ?? []).map((item) => ({
      name: item.name.trim(),
      category: item.category?.trim() || null,
      quantity: item.quantity,
      unit_price_cents: toCents(item.unit_price),
    })),
    ordered_at: orderedAt,
  };
}

/**
 * Records an order of a member: one transaction with its credit, its events and the order row.
 * Two requests with the same new order race on the unique `(company, platform, order_id)` index;
 * the loser runs again and answers the winner's result.
 */
export async function recordOrder(
  ctx: AppContext,
  companyId: string,
  memberId: string,
  input: OrderInput,
): Promise<CreditedOrder> {
  const order = validateOrder(input, ctx.clock());
  for (let attempt = 1; ; attempt++) {
    try {
      return await runInTransaction(ctx.db, async (trx) =>
        creditOrder(trx, ctx, await findCustomer(trx, companyId, memberId, true), order),
      );
    } catch (error) {
      if (!isUniqueViolation(error) || attempt >= 2) throw error;
    }
  }
}
