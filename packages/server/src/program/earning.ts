import type { EarnedBonus } from '@zupy/webhooks';
import { localMoment } from '../shared/time-zone.js';
import type { EarningBonus, EarningRules, Rounding, Tier } from './program.js';

/**
 * What an order earns, exactly: money in integer centavos, rates and multipliers (at most two
 * decimals) in hundredths, and the running total a fraction of BigInts, so no float ever rounds a
 * point away. The order of the stages is fixed:
 *
 *   base        order value × points_per_currency
 *   categories  + each category bonus's items × points_per_currency × (multiplier − 1)
 *   time        × each happy hour and special promotion in force at `ordered_at` (list order)
 *   tier        × the member's tier's points_multiplier
 *
 * Points are the running total rounded (floor or half up) at each stage; a stage's `bonus_points`
 * is what it added to the rounded total, so `points_earned = base_points + Σ bonus_points` holds
 * exactly and no bonus is negative (every multiplier is at least 1).
 */

export interface OrderToEarn {
  value_cents: number;
  items: readonly { category?: string | null | undefined; quantity: number; unit_price_cents: number }[];
  ordered_at: Date;
}

export interface Earning {
  base_points: number;
  bonus_points: number;
  points_earned: number;
  bonuses: EarnedBonus[];
}

/** A non-negative rational number. */
interface Fraction {
  num: bigint;
  den: bigint;
}

/** A rate with at most two decimals as hundredths: 1.25 → 125. */
export function hundredths(rate: number): bigint {
  return BigInt(Math.round(rate * 100));
}

function roundFraction({ num, den }: Fraction, rounding: Rounding): number {
  const whole = rounding === 'floor' ? num / den : (2n * num + den) / (2n * den);
  return Number(whole);
}

function sameCategory(a: string, b: string): boolean {
  return a.trim().toLocaleLowerCase('pt-BR') === b.trim().toLocaleLowerCase('pt-BR');
}

function minutesOf(hhmm: string): number {
  const [h, m] = hhmm.split(':');
  return Number(h) * 60 + Number(m);
}

/** Whether a happy hour or promotion is in force at the company's local time. */
export function bonusInForce(bonus: EarningBonus, at: Date, timeZone: string): boolean {
  const local = localMoment(at, timeZone);
  switch (bonus.type) {
    case 'category_bonus':
      return true;
    case 'happy_hour':
      return (
        bonus.weekdays.includes(local.weekday) &&
        local.minutes >= minutesOf(bonus.start) &&
        local.minutes < minutesOf(bonus.end)
      );
    case 'special_promotion':
      return local.date >= bonus.start_date && local.date <= bonus.end_date;
  }
}

function tierLabel(tier: Tier): string {
  return tier.name.charAt(0).toUpperCase() + tier.name.slice(1);
}

/** Points an order earns under the rules, for a member of `tier` (undefined: tiers off, ×1). */
export function computeEarning(
  rules: EarningRules,
  tier: Tier | undefined,
  order: OrderToEarn,
  timeZone: string,
): Earning {
  const rate = hundredths(rules.points_per_currency);
  // Points = centavos × rate / 100 (centavos → reais) / 100 (hundredths).
  let total: Fraction = { num: BigInt(order.value_cents) * rate, den: 10_000n };
  const base = roundFraction(total, rules.rounding);
  let rounded = base;
  const bonuses: EarnedBonus[] = [];
  const stage = (next: Fraction, type: EarnedBonus['type'], multiplier: number, description: string) => {
    total = next;
    const now = roundFraction(total, rules.rounding);
    bonuses.push({ type, multiplier, description, bonus_points: now - rounded });
    rounded = now;
  };

  // Category bonuses share out the order's value: items beyond it (a discount) earn no extra.
  let allotted = 0;
  for (const bonus of rules.bonuses) {
    if (bonus.type !== 'category_bonus' || bonus.multiplier === 1) continue;
    const subtotal = order.items
      .filter((item) => item.category != null && sameCategory(item.category, bonus.category))
      .reduce((sum, item) => sum + item.quantity * item.unit_price_cents, 0);
    const cents = Math.min(subtotal, order.value_cents - allotted);
    if (cents <= 0) continue;
    allotted += cents;
    // + cents × rate × (m − 1) / 10⁶, on the common denominator.
    const extra = BigInt(cents) * rate * (hundredths(bonus.multiplier) - 100n);
    stage(
      { num: total.num * 1_000_000n + extra * total.den, den: total.den * 1_000_000n },
      'category_bonus',
      bonus.multiplier,
      bonus.description,
    );
  }
  for (const bonus of rules.bonuses) {
    if (bonus.type === 'category_bonus' || bonus.multiplier === 1) continue;
    if (!bonusInForce(bonus, order.ordered_at, timeZone)) continue;
    stage(
      { num: total.num * hundredths(bonus.multiplier), den: total.den * 100n },
      bonus.type,
      bonus.multiplier,
      bonus.description,
    );
  }
  if (tier !== undefined && tier.points_multiplier !== 1) {
    stage(
      { num: total.num * hundredths(tier.points_multiplier), den: total.den * 100n },
      'tier_multiplier',
      tier.points_multiplier,
      `${tierLabel(tier)} ×${tier.points_multiplier}`,
    );
  }
  return { base_points: base, bonus_points: rounded - base, points_earned: rounded, bonuses };
}
