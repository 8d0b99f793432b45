import type { NextTierProgress, NextTierRequirements, TierName } from '@zupy/webhooks';
import type { Program, ProgramMetric } from './program.js';

/** What a customer has done so far, in each metric's unit. */
export interface CustomerMetrics {
  points_balance: number;
  /** In currency units (BRL), not cents. */
  total_spent: number;
  transaction_count: number;
}

/** The tier a customer starts in: the program's lowest, or `default` when tiers are off. */
export function startingTier(program: Program): TierName {
  if (!program.tiers_enabled) return 'default';
  return program.tiers[0]?.name ?? 'default';
}

/** Position of a tier in the program; a tier the program does not use ranks below all of them. */
export function tierRank(program: Program, tier: string): number {
  return program.tiers.findIndex((t) => t.name === tier);
}

/** The highest tier whose threshold `value` reaches (never below the starting tier). */
export function evaluateTier(program: Program, value: number): TierName {
  if (!program.tiers_enabled) return 'default';
  let result = startingTier(program);
  for (const tier of program.tiers) {
    if (value >= tier.threshold) result = tier.name;
  }
  return result;
}

export function metricValue(metrics: CustomerMetrics, metric: ProgramMetric): number {
  return metrics[metric];
}

/** What the next tier above `tier` asks for, or `null` at the top. Numbers are in the metric's unit. */
export function nextTierRequirements(
  program: Program,
  tier: string,
  value: number,
): NextTierRequirements | null {
  const next = program.tiers[tierRank(program, tier) + 1];
  if (!program.tiers_enabled || next === undefined) return null;
  return {
    tier_name: next.name,
    points_needed: roundMetric(Math.max(0, next.threshold - value)),
    total_points_required: next.threshold,
  };
}

/**
 * `points.earned`'s `next_tier`: what the tier above `tier` asks for and how far from 0 to its
 * threshold `value` is (percent, one decimal, rounded down so 100 means reached), or null at the top.
 */
export function nextTierProgress(program: Program, tier: string, value: number): NextTierProgress | null {
  const next = program.tiers[tierRank(program, tier) + 1];
  if (!program.tiers_enabled || next === undefined) return null;
  const progress =
    next.threshold <= 0 ? 100 : Math.min(100, Math.floor((value / next.threshold) * 1000) / 10);
  return {
    tier_name: next.name,
    points_needed: roundMetric(Math.max(0, next.threshold - value)),
    progress_percentage: Math.max(0, progress),
    benefits_preview: [...next.benefits],
  };
}

export interface TierUpgrade {
  previous_tier: TierName;
  new_tier: TierName;
  qualification_value: number;
}

/**
 * Re-evaluates a customer after an operation. Tiers only go up here: a lower evaluation (after a
 * spend, or a program change) keeps the current tier. A jump over several tiers is one upgrade.
 */
export function decideTierUpgrade(
  program: Program,
  current: TierName,
  metrics: CustomerMetrics,
): TierUpgrade | null {
  if (!program.tiers_enabled) return null;
  const value = metricValue(metrics, program.qualification_metric);
  const evaluated = evaluateTier(program, value);
  if (tierRank(program, evaluated) <= tierRank(program, current)) return null;
  return { previous_tier: current, new_tier: evaluated, qualification_value: roundMetric(value) };
}

/** Money metrics carry cents; keep two decimals and no float noise. */
function roundMetric(value: number): number {
  return Math.round(value * 100) / 100;
}
