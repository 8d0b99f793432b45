import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bonusInForce, computeEarning, type OrderToEarn } from './earning.js';
import type { EarningBonus, EarningRules, Tier } from './program.js';

const SP = 'America/Sao_Paulo';
const plain: EarningRules = { points_per_currency: 1, rounding: 'floor', bonuses: [] };
const silver: Tier = { name: 'silver', threshold: 2500, points_multiplier: 1.25, benefits: [] };
/** A Friday, 18:10 in São Paulo (UTC−3). */
const FRIDAY_1810 = new Date('2025-08-29T21:10:00Z');

const pizzas: EarningBonus = {
  type: 'category_bonus',
  category: 'Pizzas',
  multiplier: 2,
  description: 'Pizzas ×2',
};
const happyHour: EarningBonus = {
  type: 'happy_hour',
  weekdays: ['thu', 'fri'],
  start: '17:00',
  end: '19:00',
  multiplier: 1.5,
  description: 'Happy hour',
};

function order(value_cents: number, items: OrderToEarn['items'] = [], ordered_at = FRIDAY_1810): OrderToEarn {
  return { value_cents, items, ordered_at };
}

describe('computeEarning', () => {
  it('a category bonus in happy hour for a silver member, stage by stage', () => {
    const rules: EarningRules = { points_per_currency: 1, rounding: 'floor', bonuses: [happyHour, pizzas] };
    const earning = computeEarning(
      rules,
      silver,
      order(8990, [
        { category: 'pizzas', quantity: 1, unit_price_cents: 3990 },
        { category: 'Bebidas', quantity: 2, unit_price_cents: 2500 },
      ]),
      SP,
    );
    // 89.9 → 89; + 39.9 (pizza ×2) = 129.8 → 129; × 1.5 = 194.7 → 194; × 1.25 = 243.375 → 243.
    expect(earning).toEqual({
      base_points: 89,
      bonus_points: 154,
      points_earned: 243,
      bonuses: [
        { type: 'category_bonus', multiplier: 2, description: 'Pizzas ×2', bonus_points: 40 },
        { type: 'happy_hour', multiplier: 1.5, description: 'Happy hour', bonus_points: 65 },
        { type: 'tier_multiplier', multiplier: 1.25, description: 'Silver ×1.25', bonus_points: 49 },
      ],
    });
    const rounded = computeEarning(
      { ...rules, rounding: 'round' },
      silver,
      order(8990, [{ category: 'pizzas', quantity: 1, unit_price_cents: 3990 }]),
      SP,
    );
    // 89.9 → 90; 129.8 → 130; 194.7 → 195; 243.375 → 243.
    expect(rounded.bonuses.map((b) => b.bonus_points)).toEqual([40, 65, 48]);
    expect(rounded).toMatchObject({ base_points: 90, points_earned: 243 });
  });

  it('is exact where floats are not: R$ 0,29 at 100 points per real is 29, R$ 19,99 at 3 is 59', () => {
    expect(0.29 * 100).toBeLessThan(29); // what a float would floor to 28
    expect(
      computeEarning({ ...plain, points_per_currency: 100 }, undefined, order(29), SP).points_earned,
    ).toBe(29);
    expect(
      computeEarning({ ...plain, points_per_currency: 3 }, undefined, order(1999), SP).points_earned,
    ).toBe(59);
    expect(
      computeEarning({ ...plain, points_per_currency: 3, rounding: 'round' }, undefined, order(1999), SP)
        .points_earned,
    ).toBe(60);
    // Half up at exactly .5: R$ 0,50 at 1 point per real.
    expect(computeEarning({ ...plain, rounding: 'round' }, undefined, order(50), SP).points_earned).toBe(1);
    expect(computeEarning({ ...plain, rounding: 'round' }, undefined, order(49), SP).points_earned).toBe(0);
    expect(computeEarning(plain, undefined, order(99), SP).points_earned).toBe(0);
  });

  it('happy hour: from start included to end excluded, on its weekdays, in the company’s time zone', () => {
    const rules: EarningRules = { ...plain, bonuses: [happyHour] };
    const at = (iso: string) =>
      computeEarning(rules, undefined, order(10_000, [], new Date(iso)), SP).points_earned;
    expect(at('2025-08-29T19:59:59Z')).toBe(100); // Fri 16:59:59
    expect(at('2025-08-29T20:00:00Z')).toBe(150); // Fri 17:00
    expect(at('2025-08-29T21:59:00Z')).toBe(150); // Fri 18:59
    expect(at('2025-08-29T22:00:00Z')).toBe(100); // Fri 19:00
    expect(at('2025-08-28T20:30:00Z')).toBe(150); // Thu 17:30 (the second weekday listed)
    expect(at('2025-08-30T20:30:00Z')).toBe(100); // Sat 17:30
    // Same instant, another zone: 17:30 UTC is 14:30 in São Paulo, 17:30 in UTC.
    expect(
      computeEarning(rules, undefined, order(10_000, [], new Date('2025-08-29T17:30:00Z')), 'UTC')
        .points_earned,
    ).toBe(150);
    expect(
      computeEarning(rules, undefined, order(10_000, [], new Date('2025-08-29T17:30:00Z')), SP).points_earned,
    ).toBe(100);
  });

  it('special promotion: both dates included, read in the company’s time zone', () => {
    const rules: EarningRules = {
      ...plain,
      bonuses: [
        {
          type: 'special_promotion',
          start_date: '2025-11-28',
          end_date: '2025-11-30',
          multiplier: 2,
          description: 'Black Friday',
        },
      ],
    };
    const at = (iso: string) =>
      computeEarning(rules, undefined, order(1000, [], new Date(iso)), SP).points_earned;
    expect(at('2025-11-28T02:59:00Z')).toBe(10); // Nov 27, 23:59 local
    expect(at('2025-11-28T03:00:00Z')).toBe(20); // Nov 28, 00:00 local
    expect(at('2025-12-01T02:59:00Z')).toBe(20); // Nov 30, 23:59 local
    expect(at('2025-12-01T03:00:00Z')).toBe(10); // Dec 1
  });

  it('category bonuses: case-insensitive, several categories, never more than the order’s value', () => {
    const rules: EarningRules = {
      ...plain,
      bonuses: [
        pizzas,
        { type: 'category_bonus', category: 'Sobremesas', multiplier: 3, description: 'Doces ×3' },
      ],
    };
    const items = [
      { category: 'Bebidas', quantity: 1, unit_price_cents: 1000 },
      { category: ' PIZZAS ', quantity: 2, unit_price_cents: 3000 },
      { category: 'sobremesas', quantity: 1, unit_price_cents: 1000 },
      { category: null, quantity: 1, unit_price_cents: 500 },
    ];
    const full = computeEarning(rules, undefined, order(8500, items), SP);
    expect(full.bonuses.map((b) => [b.description, b.bonus_points])).toEqual([
      ['Pizzas ×2', 60],
      ['Doces ×3', 20],
    ]);
    // A R$ 65 order (a discount) whose items add up to R$ 85: the pizzas take 60, the dessert 5.
    const discounted = computeEarning(rules, undefined, order(6500, items), SP);
    expect(discounted.bonuses.map((b) => b.bonus_points)).toEqual([60, 10]);
    expect(computeEarning(rules, undefined, order(6500, []), SP).bonuses).toEqual([]);
  });

  it('lists no stage for a multiplier of 1 or a tier without one', () => {
    const one: EarningRules = { ...plain, bonuses: [{ ...happyHour, multiplier: 1 }] };
    expect(computeEarning(one, { ...silver, points_multiplier: 1 }, order(10_000), SP).bonuses).toEqual([]);
  });

  const bonusArb: fc.Arbitrary<EarningBonus> = fc.oneof(
    fc.record({
      type: fc.constant('category_bonus' as const),
      category: fc.constantFrom('a', 'b', 'c'),
      multiplier: fc.integer({ min: 100, max: 500 }).map((h) => h / 100),
      description: fc.constant('cat'),
    }),
    fc.record({
      type: fc.constant('happy_hour' as const),
      weekdays: fc.constant(['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const).map((d) => [...d]),
      start: fc.constant('00:00'),
      end: fc.constant('23:59'),
      multiplier: fc.integer({ min: 100, max: 500 }).map((h) => h / 100),
      description: fc.constant('hh'),
    }),
  );
  const rulesArb = fc.record({
    points_per_currency: fc.integer({ min: 1, max: 100_000 }).map((h) => h / 100),
    rounding: fc.constantFrom('floor' as const, 'round' as const),
    bonuses: fc.array(bonusArb, { maxLength: 4 }),
  });
  const orderArb = fc.record({
    value_cents: fc.integer({ min: 1, max: 100_000_000 }),
    items: fc.array(
      fc.record({
        category: fc.constantFrom('a', 'b', 'c', null),
        quantity: fc.integer({ min: 1, max: 5 }),
        unit_price_cents: fc.integer({ min: 0, max: 10_000_000 }),
      }),
      { maxLength: 5 },
    ),
    ordered_at: fc.constant(FRIDAY_1810),
  });
  const tierArb = fc.option(
    fc
      .integer({ min: 100, max: 300 })
      .map((h): Tier => ({ name: 'gold', threshold: 0, points_multiplier: h / 100, benefits: [] })),
    { nil: undefined },
  );

  it('always adds up: points = base + bonuses, no bonus negative, integers only', () => {
    fc.assert(
      fc.property(rulesArb, tierArb, orderArb, (rules, tier, o) => {
        const e = computeEarning(rules, tier, o, SP);
        expect(e.points_earned).toBe(e.base_points + e.bonus_points);
        expect(e.bonuses.reduce((sum, b) => sum + b.bonus_points, 0)).toBe(e.bonus_points);
        for (const b of e.bonuses) expect(Number.isInteger(b.bonus_points) && b.bonus_points >= 0).toBe(true);
        expect(Number.isSafeInteger(e.points_earned)).toBe(true);
      }),
    );
  });

  it('without bonuses, is centavos × rate, floored or rounded half up, in integer arithmetic', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 10_000_000_000 }),
        fc.integer({ min: 1, max: 100_000 }),
        (cents, rateHundredths) => {
          const rules = { ...plain, points_per_currency: rateHundredths / 100 };
          const product = BigInt(cents) * BigInt(rateHundredths);
          expect(computeEarning(rules, undefined, order(cents), SP).points_earned).toBe(
            Number(product / 10_000n),
          );
          expect(
            computeEarning({ ...rules, rounding: 'round' }, undefined, order(cents), SP).points_earned,
          ).toBe(Number((product + 5_000n) / 10_000n));
        },
      ),
    );
  });

  it('never earns less with one more bonus, nor with a larger order', () => {
    fc.assert(
      fc.property(
        rulesArb,
        bonusArb,
        tierArb,
        orderArb,
        fc.integer({ min: 0, max: 100_000 }),
        (rules, extra, tier, o, more) => {
          const base = computeEarning(rules, tier, o, SP).points_earned;
          expect(
            computeEarning({ ...rules, bonuses: [...rules.bonuses, extra] }, tier, o, SP).points_earned,
          ).toBeGreaterThanOrEqual(base);
          expect(
            computeEarning(rules, tier, { ...o, value_cents: o.value_cents + more }, SP).points_earned,
          ).toBeGreaterThanOrEqual(base);
        },
      ),
    );
  });
});

describe('earning rules at their edges', () => {
  it('matches a category whatever the case and the spaces on either side', () => {
    const spaced: EarningBonus = { ...pizzas, category: '  PIZZAS ' };
    const rules: EarningRules = { ...plain, bonuses: [spaced] };
    const earning = computeEarning(
      rules,
      undefined,
      order(4000, [{ category: ' pizzas', quantity: 1, unit_price_cents: 4000 }]),
      SP,
    );
    expect(earning.points_earned).toBe(80);
  });

  it('a bonus of ×1 adds no stage', () => {
    const rules: EarningRules = {
      ...plain,
      bonuses: [
        { ...pizzas, multiplier: 1 },
        { ...happyHour, multiplier: 1 },
      ],
    };
    const earning = computeEarning(
      rules,
      undefined,
      order(4000, [{ category: 'Pizzas', quantity: 1, unit_price_cents: 4000 }]),
      SP,
    );
    expect(earning).toEqual({ base_points: 40, bonus_points: 0, points_earned: 40, bonuses: [] });
  });

  it('a happy hour counts the minutes of its start and end: 17:30 to 18:15, the end excluded', () => {
    const halfPast: EarningBonus = { ...happyHour, start: '17:30', end: '18:15' };
    // 17:29, 17:30, 18:14 and 18:15 in São Paulo (UTC−3), a Friday.
    const at = (hhmm: string) =>
      new Date(`2025-08-29T${String(Number(hhmm.slice(0, 2)) + 3)}:${hhmm.slice(3)}:00Z`);
    expect(['17:29', '17:30', '18:14', '18:15'].map((t) => bonusInForce(halfPast, at(t), SP))).toEqual([
      false,
      true,
      true,
      false,
    ]);
  });

  it('a category bonus is in force at any time', () => {
    expect(bonusInForce(pizzas, new Date('2025-08-31T06:00:00Z'), SP)).toBe(true);
  });
});
