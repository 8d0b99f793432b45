import type { TierName } from '@zupy/webhooks';

/** Metrics a program can qualify tiers on; `custom_criteria` only describes manual changes. */
export const PROGRAM_METRICS = ['points_balance', 'total_spent', 'transaction_count'] as const;
export type ProgramMetric = (typeof PROGRAM_METRICS)[number];

export interface Tier {
  name: TierName;
  /** In the metric's unit: points, currency units (BRL), or transactions. */
  threshold: number;
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
}

/** The program every company starts with (CONTRACT §2). */
export const DEFAULT_PROGRAM: Program = Object.freeze({
  tiers_enabled: true,
  qualification_metric: 'points_balance',
  tiers: [
    { name: 'bronze', threshold: 0 },
    { name: 'silver', threshold: 2500 },
    { name: 'gold', threshold: 5000 },
    { name: 'platinum', threshold: 10000 },
    { name: 'vip', threshold: 20000 },
  ],
  welcome_reward: { type: 'points', points: 100 },
}) as Program;
