import type { Kysely } from 'kysely';
import { preparedQuery } from '../db/prepared-query.js';
import type { Tables } from '../db/tables.js';
import { DEFAULT_PROGRAM, completeProgram, type Program, type WelcomeRewardConfig } from './program.js';
import { runInTransaction } from '../db/transaction.js';

const programQuery = preparedQuery((db, arg: { companyId: string }) =>
  db.selectFrom('loyalty_programs').select('program').where('company_id', '=', arg.companyId),
);

/** The company's program; the default one until the company saves its own. */
export async function getProgram(db: Kysely<Tables>, companyId: string): Promise<Program> {
  const [row] = await programQuery.run(db, { companyId });
  return programFrom(row?.program ?? null);
}

/** The program stored as `stored` (`loyalty_programs.program`, read with other things); null: the default. */
export function programFrom(stored: string | null): Program {
  return stored !== null ? completeProgram(JSON.parse(stored) as Program) : DEFAULT_PROGRAM;
}

/** The welcome reward with only the keys of its type, in a stable order. */
export function welcomeRewardOf(reward: {
  type: WelcomeRewardConfig['type'];
  points?: number | undefined;
  reward_id?: string | undefined;
}): WelcomeRewardConfig {
  if (reward.type === 'points') return { type: 'points', points: reward.points ?? 0 };
  if (reward.type === 'coupon' && reward.reward_id !== undefined)
    return { type: 'coupon', reward_id: reward.reward_id };
  return { type: reward.type };
}

export async function saveProgram(
  db: Kysely<Tables>,
  companyId: string,
  program: Program,
  now: Date,
): Promise<void> {
  const stored: Program = {
    tiers_enabled: program.tiers_enabled,
    qualification_metric: program.qualification_metric,
    tiers: program.tiers.map((t) => ({
      name: t.name,
      threshold: t.threshold,
      points_multiplier: t.points_multiplier,
      benefits: [...t.benefits],
    })),
    welcome_reward: welcomeRewardOf(program.welcome_reward),
    earning: {
      points_per_currency: program.earning.points_per_currency,
      rounding: program.earning.rounding,
      bonuses: program.earning.bonuses.map((b) => ({ ...b })),
    },
    point_expiration_days: program.point_expiration_days,
  };
  const values = { program: JSON.stringify(stored), updated_at: now.toISOString() };
  // In a transaction of its own: the request's audit entry is written in it (audit/audit-scope.ts).
  await runInTransaction(db, (trx) =>
    trx
      .insertInto('loyalty_programs')
      .values({ company_id: companyId, ...values })
      .onConflict((oc) => oc.column('company_id').doUpdateSet(values))
      .execute(),
  );
}
