import type { DiscountType } from '@zupy/webhooks';
import type { RewardRow } from '../db/tables.js';
import { fromCents } from '../shared/money.js';
import { apiTimestamp } from '../shared/timestamps.js';

/** A reward as the API gives it: money in BRL, `discount_value` in percent or BRL. */
export interface Reward {
  id: string;
  name: string;
  description: string | null;
  points_required: number;
  discount_type: DiscountType;
  discount_value: number;
  maximum_discount: number | null;
  minimum_purchase: number | null;
  validity_days: number;
  terms: string | null;
  active: boolean;
  stock: number | null;
  created_at: string;
  updated_at: string;
}

const centsOrNull = (cents: number | null): number | null => (cents === null ? null : fromCents(cents));

export function toReward(row: RewardRow): Reward {
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    points_required: Number(row.points_required),
    discount_type: row.discount_type as DiscountType,
    discount_value: fromCents(row.discount_value_hundredths),
    maximum_discount: centsOrNull(
      row.maximum_discount_cents === null ? null : Number(row.maximum_discount_cents),
    ),
    minimum_purchase: centsOrNull(
      row.minimum_purchase_cents === null ? null : Number(row.minimum_purchase_cents),
    ),
    validity_days: Number(row.validity_days),
    terms: row.terms,
    active: Number(row.active) === 1,
    stock: row.stock === null ? null : Number(row.stock),
    created_at: apiTimestamp(row.created_at),
    updated_at: apiTimestamp(row.updated_at),
  };
}
