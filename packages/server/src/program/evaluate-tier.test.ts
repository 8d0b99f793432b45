import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  decideTierUpgrade,
  evaluateTier,
  nextTierProgress,
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

  it('is "default" with tiers on but none listed', () => {
    const program: Program = { ...DEFAULT_PROGRAM, tiers: [] };
    expect(startingTier(program)).toBe('default');
    expect(evaluateTier(program, 1e6)).toBe('default');
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

describe('nextTierProgress', () => {
  const withBenefits: Program = {
    ...DEFAULT_PROGRAM,
    tiers: DEFAULT_PROGRAM.tiers.map((t) => (t.name === 'gold' ? { ...t, benefits: ['Frete grátis'] } : t)),
  };

  it('is the share of the next threshold reached, one decimal rounded down, with its benefits', () => {
    expect(nextTierProgress(withBenefits, 'silver', 2500)).toEqual({
      tier_name: 'gold',
      points_needed: 2500,
      progress_percentage: 50,
      benefits_preview: ['Frete grátis'],
    });
    expect(nextTierProgress(withBenefits, 'silver', 4999)).toMatchObject({
      points_needed: 1,
      progress_percentage: 99.9,
    });
    expect(nextTierProgress(withBenefits, 'silver', 1234.567)).toMatchObject({
      points_needed: 3765.43,
      progress_percentage: 24.6,
    });
  });

  it('is 100 at and past the threshold, with nothing needed, and never below 0', () => {
    expect(nextTierProgress(withBenefits, 'silver', 5000)).toMatchObject({
      points_needed: 0,
      progress_percentage: 100,
    });
    expect(nextTierProgress(withBenefits, 'silver', 9000)).toMatchObject({
      points_needed: 0,
      progress_percentage: 100,
    });
    expect(nextTierProgress(withBenefits, 'silver', -10)).toMatchObject({
      points_needed: 5010,
      progress_percentage: 0,
    });
  });

  it('is 100 towards a tier whose threshold is 0', () => {
    const flat: Program = {
      ...DEFAULT_PROGRAM,
      tiers: [DEFAULT_PROGRAM.tiers[0]!, { ...DEFAULT_PROGRAM.tiers[1]!, threshold: 0 }],
    };
    expect(nextTierProgress(flat, 'bronze', 0)).toMatchObject({
      tier_name: 'silver',
      progress_percentage: 100,
    });
  });

  it('is null at the top and when tiers are off; the benefits are a copy', () => {
    expect(nextTierProgress(withBenefits, 'vip', 0)).toBeNull();
    expect(nextTierProgress({ ...withBenefits, tiers_enabled: false }, 'silver', 0)).toBeNull();
    const progress = nextTierProgress(withBenefits, 'silver', 0)!;
    progress.benefits_preview.push('changed');
    expect(withBenefits.tiers[2]!.benefits).toEqual(['Frete grátis']);
  });
});
