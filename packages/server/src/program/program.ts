import type { TierName } from '@zupy/webhooks';
import type { Weekday } from '../shared/time-zone.js';

/** Metrics a program can qualify tiers on; `custom_criteria` only describes manual changes. */
export const PROGRAM_METRICS = ['points_balance', 'total_spent', 'transaction_count'] as const;
export type ProgramMetric = (typeof PROGRAM_METRICS)[number];

export interface Tier {
  name: TierName;
  /** In the metric's unit: points, currency units (BRL), or transactions. */
  threshold: number;
  /** Multiplies what the member's orders earn (1: none); applied on top of the bonuses. */
  points_multiplier: number;
  /** What the tier gives, in the owner's words (shown as `next_tier.benefits_preview`). */
  benefits: string[];
}

export const ROUNDING_MODES = ['floor', 'round'] as const;
export type Rounding = (typeof ROUNDING_MODES)[number];

/** Items of `category` (case-insensitive) earn × `multiplier`. */
export interface CategoryBonus {
  type: 'category_bonus';
  category: string;
  multiplier: number;
  description: string;
}

/** Orders on these weekdays, from `start` (inclusive) to `end` (exclusive), `HH:MM` in the company's time zone. */
export interface HappyHourBonus {
  type: 'happy_hour';
  weekdays: Weekday[];
  start: string;
  end: string;
  multiplier: number;
  description: string;
}

/** Orders from `start_date` to `end_date`, both included, `YYYY-MM-DD` in the company's time zone. */
export interface SpecialPromotionBonus {
  type: 'special_promotion';
  start_date: string;
  end_date: string;
  multiplier: number;
  description: string;
}

export type EarningBonus = CategoryBonus | HappyHourBonus | SpecialPromotionBonus;
export const EARNING_BONUS_TYPES = ['category_bonus', 'happy_hour', 'special_promotion'] as const;

/** How orders earn points (program/earning.ts does the arithmetic). */
export interface EarningRules {
  /** Points per real of the order's value; at most two decimals. */
  points_per_currency: number;
  rounding: Rounding;
  bonuses: EarningBonus[];
}

export type WelcomeRewardConfig =
  | { type: 'none' }
  | { type: 'points'; points: number }
  /** With `reward_id`, a real coupon of that reward (coupons/); without, a code nothing looks up. */
  | { type: 'coupon'; reward_id?: string };

export interface Program {
  tiers_enabled: boolean;
  qualification_metric: ProgramMetric;
  /** Ordered by ascending threshold; the first is where every customer starts. */
  tiers: Tier[];
  welcome_reward: WelcomeRewardConfig;
  earning: EarningRules;
  /** Earned points expire this many days after they were credited, oldest first; 0: never. */
  point_expiration_days: number;
}

export const DEFAULT_EARNING: EarningRules = Object.freeze({
  points_per_currency: 1,
  rounding: 'floor',
  bonuses: [],
});

/** The program every company starts with (CONTRACT §2). */
export const DEFAULT_PROGRAM: Program = Object.freeze({
  tiers_enabled: true,
  qualification_metric: 'points_balance',
  tiers: [
    { name: 'bronze', threshold: 0, points_multiplier: 1, benefits: [] },
    { name: 'silver', threshold: 2500, points_multiplier: 1, benefits: [] },
    { name: 'gold', threshold: 5000, points_multiplier: 1, benefits: [] },
    { name: 'platinum', threshold: 10000, points_multiplier: 1, benefits: [] },
    { name: 'vip', threshold: 20000, points_multiplier: 1, benefits: [] },
  ],
  welcome_reward: { type: 'points', points: 100 },
  earning: DEFAULT_EARNING,
  point_expiration_days: 0,
}) as Program;

/**
 * A program as stored, filled in with the defaults of what older versions did not store (earning
 * rules, tier multipliers and benefits, expiry): every program read has every field.
 */
export function completeProgram(stored: Partial<Program> & Pick<Program, 'tiers'>): Program {
  return {
    tiers_enabled: stored.tiers_enabled ?? DEFAULT_PROGRAM.tiers_enabled,
    qualification_metric: stored.qualification_metric ?? DEFAULT_PROGRAM.qualification_metric,
    tiers: stored.tiers.map((t) => ({
      name: t.name,
      threshold: t.threshold,
      points_multiplier: t.points_multiplier ?? 1,
      benefits: t.benefits ?? [],
    })),
    welcome_reward: stored.welcome_reward ?? DEFAULT_PROGRAM.welcome_reward,
    earning: stored.earning ?? DEFAULT_EARNING,
    point_expiration_days: stored.point_expiration_days ?? 0,
  };
}
