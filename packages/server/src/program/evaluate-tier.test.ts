import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  decideTierUpgrade,
  evaluateTier,
  nextTierRequirements,
  startingTier,
  tierRank,
} from './evaluate-tier.js';
import { DEFAULT_PROGRAM, type Program } from './program.js';

const metrics = (points_balance: number, total_spent = 0, transaction_count = 0) => ({
  points_balance,
  total_spent,
  transaction_count,
});

describe('evaluateTier', () => {
  it.each([
    [0, 'bronze'],
    [2499, 'bronze'],
    [2500, 'silver'],
    [4999.99, 'silver'],
    [5000, 'gold'],
    [10000, 'platinum'],
    [19999, 'platinum'],
    [20000, 'vip'],
    [1e9, 'vip'],
  ])('%d points → %s', (value, tier) => {
    expect(evaluateTier(DEFAULT_PROGRAM, value)).toBe(tier);
  });

  it('is never below the starting tier, even under the lowest threshold', () => {
    const program: Program = {
      ...DEFAULT_PROGRAM,
      tiers: [
        { name: 'silver', threshold: 100, points_multiplier: 1, benefits: [] },
        { name: 'gold', threshold: 200, points_multiplier: 1, benefits: [] },
      ],
    };
    expect(evaluateTier(program, 5)).toBe('silver');
    expect(startingTier(program)).toBe('silver');
  });

  it('is "default" when tiers are off', () => {
    const program = { ...DEFAULT_PROGRAM, tiers_enabled: false };
    expect(evaluateTier(program, 1e6)).toBe('default');
    expect(startingTier(program)).toBe('default');
    expect(decideTierUpgrade(program, 'default', metrics(1e6))).toBeNull();
    expect(nextTierRequirements(program, 'default', 0)).toBeNull();
  });

  it('never decreases as the value grows', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0, max: 1e6, noNaN: true }),
        fc.double({ min: 0, max: 1e6, noNaN: true }),
        (a, b) => {
          const [lo, hi] = a <= b ? [a, b] : [b, a];
          expect(tierRank(DEFAULT_PROGRAM, evaluateTier(DEFAULT_PROGRAM, hi))).toBeGreaterThanOrEqual(
            tierRank(DEFAULT_PROGRAM, evaluateTier(DEFAULT_PROGRAM, lo)),
          );
        },
      ),
    );
  });
});

describe('decideTierUpgrade', () => {
  it('reports a multi-tier jump as one upgrade', () => {
    expect(decideTierUpgrade(DEFAULT_PROGRAM, 'bronze', metrics(12_000))).toEqual({
      previous_tier: 'bronze',
      new_tier: 'platinum',
      qualification_value: 12_000,
    });
  });

  it('never lowers a tier', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('bronze', 'silver', 'gold', 'platinum', 'vip' as const),
        fc.integer({ min: 0, max: 50_000 }),
        (current, value) => {
          const upgrade = decideTierUpgrade(DEFAULT_PROGRAM, current, metrics(value));
          if (upgrade === null) {
            expect(tierRank(DEFAULT_PROGRAM, evaluateTier(DEFAULT_PROGRAM, value))).toBeLessThanOrEqual(
              tierRank(DEFAULT_PROGRAM, current),
            );
          } else {
            expect(tierRank(DEFAULT_PROGRAM, upgrade.new_tier)).toBeGreaterThan(
              tierRank(DEFAULT_PROGRAM, current),
            );
            expect(upgrade.new_tier).toBe(evaluateTier(DEFAULT_PROGRAM, value));
          }
        },
      ),
    );
  });

  it('uses the program’s metric', () => {
    const program: Program = {
      ...DEFAULT_PROGRAM,
      qualification_metric: 'total_spent',
      tiers: [
        { name: 'bronze', threshold: 0, points_multiplier: 1, benefits: [] },
        { name: 'gold', threshold: 100.5, points_multiplier: 1, benefits: [] },
      ],
    };
    expect(decideTierUpgrade(program, 'bronze', metrics(1e6, 100.49))).toBeNull();
    expect(decideTierUpgrade(program, 'bronze', metrics(0, 100.5))).toMatchObject({
      new_tier: 'gold',
      qualification_value: 100.5,
    });
  });

  it('upgrades a customer whose tier the program no longer lists', () => {
    expect(decideTierUpgrade(DEFAULT_PROGRAM, 'default', metrics(0))).toMatchObject({
      previous_tier: 'default',
      new_tier: 'bronze',
    });
  });
});

describe('nextTierRequirements', () => {
  it('gives what the next tier asks for, in the metric’s unit, and null at the top', () => {
    expect(nextTierRequirements(DEFAULT_PROGRAM, 'silver', 2500)).toEqual({
      tier_name: 'gold',
      points_needed: 2500,
      total_points_required: 5000,
    });
    expect(nextTierRequirements(DEFAULT_PROGRAM, 'bronze', 3000)).toEqual({
      tier_name: 'silver',
      points_needed: 0,
      total_points_required: 2500,
    });
    expect(nextTierRequirements(DEFAULT_PROGRAM, 'vip', 20000)).toBeNull();
  });
});
