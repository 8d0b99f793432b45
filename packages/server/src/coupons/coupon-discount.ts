import type { DiscountType } from '@zupy/webhooks';
import { invalidField } from '../errors.js';

/** A line of the order, in centavos. */
export interface OrderItem {
  name: string;
  quantity: number;
  unit_price_cents: number;
}

/** What a coupon takes off, in centavos; `discount_value_hundredths` as stored (rewards table). */
export interface DiscountRules {
  discount_type: DiscountType;
  discount_value_hundredths: number;
  maximum_discount_cents: number | null;
}

export interface AffectedLine {
  name: string;
  quantity: number;
  unit_price_cents: number;
  discount_cents: number;
}

export interface Discount {
  discount_cents: number;
  /** The free units of an item-based coupon; empty for an order-wide discount. */
  items_affected: AffectedLine[];
}

const cap = (cents: number, rules: DiscountRules, orderCents: number): number =>
  Math.min(cents, rules.maximum_discount_cents ?? Number.POSITIVE_INFINITY, orderCents);

/**
 * The discount of a coupon on an order, in whole centavos, never more than the order:
 * - `percentage`: the percent of the order, rounded to the nearest centavo (half up), capped by
 *   `maximum_discount`;
 * - `fixed_amount`: the amount, never above the order;
 * - `product_free`: one unit of the dearest item, capped by `maximum_discount`;
 * - `buy_one_get_one`: every second unit of each item is free (2 → 1, 3 → 1, 4 → 2), capped by
 *   `maximum_discount` (taken from the items in the order given).
 * The item-based types need `items` (a 422 naming `items` without them).
 */
export function computeDiscount(
  rules: DiscountRules,
  orderCents: number,
  items: readonly OrderItem[],
): Discount {
  switch (rules.discount_type) {
    case 'percentage':
      return {
        discount_cents: cap(
          Math.round((orderCents * rules.discount_value_hundredths) / 10_000),
          rules,
          orderCents,
        ),
        items_affected: [],
      };
    case 'fixed_amount':
      return { discount_cents: Math.min(rules.discount_value_hundredths, orderCents), items_affected: [] };
    case 'product_free': {
      const dearest = items.reduce<OrderItem | undefined>(
        (best, item) => (best === undefined || item.unit_price_cents > best.unit_price_cents ? item : best),
        undefined,
      );
      if (dearest === undefined)
        throw invalidField(
          'items',
          'items_required',
          'are required for a product_free coupon: which product is free',
        );
      const discount = cap(dearest.unit_price_cents, rules, orderCents);
      return {
        discount_cents: discount,
        items_affected: [
          {
            name: dearest.name,
            quantity: 1,
            unit_price_cents: dearest.unit_price_cents,
            discount_cents: discount,
          },
        ],
      };
    }
    case 'buy_one_get_one': {
      let left = cap(Number.MAX_SAFE_INTEGER, rules, orderCents);
      const affected: AffectedLine[] = [];
      for (const item of items) {
        const free = Math.floor(item.quantity / 2);
        if (free === 0 || left === 0) continue;
        const discount = Math.min(free * item.unit_price_cents, left);
        left -= discount;
        affected.push({
          name: item.name,
          quantity: free,
          unit_price_cents: item.unit_price_cents,
          discount_cents: discount,
        });
      }
      if (affected.length === 0 && !items.some((item) => item.quantity >= 2)) {
        throw invalidField(
          'items',
          'items_need_pair',
          'need an item with a quantity of at least 2 for a buy_one_get_one coupon',
        );
      }
      return {
        discount_cents: affected.reduce((sum, line) => sum + line.discount_cents, 0),
        items_affected: affected,
      };
    }
  }
}
