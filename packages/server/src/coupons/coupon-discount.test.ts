import { describe, expect, it } from 'vitest';
import { ZupyError } from '../errors.js';
import { computeDiscount, type DiscountRules, type OrderItem } from './coupon-discount.js';

const rules = (r: Partial<DiscountRules> & Pick<DiscountRules, 'discount_type'>): DiscountRules => ({
  discount_value_hundredths: 0,
  maximum_discount_cents: null,
  ...r,
});
const item = (name: string, quantity: number, unit_price_cents: number): OrderItem => ({
  name,
  quantity,
  unit_price_cents,
});

describe('computeDiscount', () => {
  it('takes a percentage of the order, rounded half up to the centavo, capped by maximum_discount', () => {
    const tenPct = rules({ discount_type: 'percentage', discount_value_hundredths: 10_00 });
    expect(computeDiscount(tenPct, 120_00, []).discount_cents).toBe(12_00);
    expect(computeDiscount(tenPct, 19_95, []).discount_cents).toBe(2_00); // 1.995 → 2.00
    expect(computeDiscount(tenPct, 19_94, []).discount_cents).toBe(1_99);
    const capped = { ...tenPct, maximum_discount_cents: 15_00 };
    expect(computeDiscount(capped, 149_99, []).discount_cents).toBe(15_00); // just below the cap
    expect(computeDiscount(capped, 150_00, []).discount_cents).toBe(15_00); // at the cap
    expect(computeDiscount(capped, 150_10, []).discount_cents).toBe(15_00); // above it
    expect(computeDiscount(capped, 140_00, []).discount_cents).toBe(14_00);
    const half = rules({ discount_type: 'percentage', discount_value_hundredths: 12_50 });
    expect(computeDiscount(half, 0, []).discount_cents).toBe(0);
    expect(computeDiscount(half, 1_000_000_000_00, []).discount_cents).toBe(125_000_000_00);
    expect(
      computeDiscount(rules({ discount_type: 'percentage', discount_value_hundredths: 100_00 }), 33_33, []),
    ).toEqual({ discount_cents: 33_33, items_affected: [] });
  });

  it('takes a fixed amount, never above the order', () => {
    const five = rules({ discount_type: 'fixed_amount', discount_value_hundredths: 5_00 });
    expect(computeDiscount(five, 5_01, []).discount_cents).toBe(5_00);
    expect(computeDiscount(five, 5_00, []).discount_cents).toBe(5_00);
    expect(computeDiscount(five, 4_99, []).discount_cents).toBe(4_99);
  });

  it('product_free: one unit of the dearest item, capped by maximum_discount and the order', () => {
    const free = rules({ discount_type: 'product_free', maximum_discount_cents: 25_00 });
    const items = [item('Café', 2, 6_50), item('Petit gâteau', 1, 24_90), item('Água', 1, 4_00)];
    expect(computeDiscount(free, 89_70, items)).toEqual({
      discount_cents: 24_90,
      items_affected: [{ name: 'Petit gâteau', quantity: 1, unit_price_cents: 24_90, discount_cents: 24_90 }],
    });
    expect(computeDiscount(free, 89_70, [item('Vinho', 1, 120_00)]).discount_cents).toBe(25_00);
    expect(
      computeDiscount({ ...free, maximum_discount_cents: null }, 100_00, [item('Vinho', 1, 120_00)])
        .discount_cents,
    ).toBe(100_00);
    expect(() => computeDiscount(free, 10_00, [])).toThrow(ZupyError);
  });

  it('buy_one_get_one: every second unit of each item, capped, in the order given', () => {
    const bogo = rules({ discount_type: 'buy_one_get_one' });
    const items = [item('Chopp', 3, 12_00), item('Pastel', 4, 8_50), item('Café', 1, 6_00)];
    expect(computeDiscount(bogo, 100_00, items)).toEqual({
      discount_cents: 12_00 + 17_00,
      items_affected: [
        { name: 'Chopp', quantity: 1, unit_price_cents: 12_00, discount_cents: 12_00 },
        { name: 'Pastel', quantity: 2, unit_price_cents: 8_50, discount_cents: 17_00 },
      ],
    });
    const capped = computeDiscount({ ...bogo, maximum_discount_cents: 15_00 }, 100_00, items);
    expect(capped.discount_cents).toBe(15_00);
    expect(capped.items_affected.map((l) => l.discount_cents)).toEqual([12_00, 3_00]);
    expect(() => computeDiscount(bogo, 10_00, [item('Café', 1, 6_00)])).toThrow(/quantity of at least 2/);
    expect(() => computeDiscount(bogo, 10_00, [])).toThrow(ZupyError);
  });
});

describe('computeDiscount at its edges', () => {
  const fieldOf = (fn: () => unknown): string | undefined => {
    try {
      fn();
    } catch (error) {
      if (error instanceof ZupyError) return error.fieldErrors[0]?.field;
      throw error;
    }
    return undefined;
  };

  it('a fixed amount affects no item', () => {
    const five = rules({ discount_type: 'fixed_amount', discount_value_hundredths: 5_00 });
    expect(computeDiscount(five, 10_00, [item('Café', 2, 6_00)])).toEqual({
      discount_cents: 5_00,
      items_affected: [],
    });
  });

  it('product_free: of two items at the dearest price, the first listed is free', () => {
    const free = rules({ discount_type: 'product_free' });
    const items = [item('Água', 1, 4_00), item('Chopp', 1, 12_00), item('Pastel', 1, 12_00)];
    expect(computeDiscount(free, 28_00, items).items_affected.map((l) => l.name)).toEqual(['Chopp']);
  });

  it('buy_one_get_one: once the cap is spent, later items are not listed', () => {
    const bogo = rules({ discount_type: 'buy_one_get_one', maximum_discount_cents: 12_00 });
    const items = [item('Chopp', 2, 12_00), item('Pastel', 2, 8_50)];
    expect(computeDiscount(bogo, 41_00, items)).toEqual({
      discount_cents: 12_00,
      items_affected: [{ name: 'Chopp', quantity: 1, unit_price_cents: 12_00, discount_cents: 12_00 }],
    });
  });

  it('buy_one_get_one with nothing left to give (a cap of 0) is no discount, not a 422', () => {
    const bogo = rules({ discount_type: 'buy_one_get_one', maximum_discount_cents: 0 });
    expect(computeDiscount(bogo, 24_00, [item('Chopp', 2, 12_00)])).toEqual({
      discount_cents: 0,
      items_affected: [],
    });
  });

  it('product_free without items says it needs them to know which product is free', () => {
    const free = rules({ discount_type: 'product_free' });
    expect(() => computeDiscount(free, 10_00, [])).toThrow(
      'items: are required for a product_free coupon: which product is free',
    );
  });

  it('the item-based types name the items field when it does not fit', () => {
    expect(fieldOf(() => computeDiscount(rules({ discount_type: 'product_free' }), 10_00, []))).toBe('items');
    const bogo = rules({ discount_type: 'buy_one_get_one' });
    expect(fieldOf(() => computeDiscount(bogo, 10_00, [item('Café', 1, 6_00)]))).toBe('items');
  });
});
