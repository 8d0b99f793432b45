import type { Kysely } from 'kysely';
import type { Tables } from '../db/tables.js';
import { ZupyError, invalidField } from '../errors.js';
import { findReward } from '../rewards/reward-store.js';

/** A welcome `reward_id` must name one of the company's rewards, and only with type `coupon`. */
export async function checkWelcomeReward(
  db: Kysely<Tables>,
  companyId: string,
  reward: { type: string; reward_id?: string | undefined },
): Promise<void> {
  if (reward.reward_id === undefined) return;
  if (reward.type !== 'coupon')
    throw invalidField('welcome_reward.reward_id', 'welcome_reward_not_coupon', 'is only for type "coupon"');
  try {
    await findReward(db, companyId, reward.reward_id);
  } catch (error) {
    if (error instanceof ZupyError && error.code === 'ZUPY_NOT_FOUND') {
      throw invalidField('welcome_reward.reward_id', 'unknown_reward', 'is not a reward of this company');
    }
    throw error;
  }
}
