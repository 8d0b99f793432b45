import type { FastifyPluginAsync } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { identity } from '../http/auth.js';
import { TierNameSchema } from '../http/schemas.js';
import type { AppContext } from '../shared/context.js';
import type { Program } from './program.js';
import { checkWelcomeReward } from './check-welcome-reward.js';
import { getProgram, saveProgram, welcomeRewardOf } from './program-store.js';
import { validateProgram } from './validate-program.js';

const ProgramSchema = Type.Object(
  {
    tiers_enabled: Type.Boolean(),
    qualification_metric: Type.Union([
      Type.Literal('points_balance'),
      Type.Literal('total_spent'),
      Type.Literal('transaction_count'),
    ]),
    tiers: Type.Array(
      Type.Object(
        {
          name: TierNameSchema,
          threshold: Type.Number({ minimum: 0, maximum: 1_000_000_000, description: 'In the metric’s unit' }),
        },
        { additionalProperties: false },
      ),
      { maxItems: 6, description: 'From lowest to highest threshold' },
    ),
    welcome_reward: Type.Object(
      {
        type: Type.Union([Type.Literal('none'), Type.Literal('points'), Type.Literal('coupon')]),
        points: Type.Optional(Type.Integer({ minimum: 1, maximum: 100_000_000 })),
        reward_id: Type.Optional(
          Type.String({
            maxLength: 100,
            description:
              'With type "coupon": the reward (rwd_…) whose coupon each new member gets, a real CP- coupon that validates like any other',
          }),
        ),
      },
      { additionalProperties: false },
    ),
  },
  { additionalProperties: false, $id: 'LoyaltyProgram' },
);

export const programRoutes =
  (ctx: AppContext): FastifyPluginAsync =>
  (instance) => {
    const app = instance.withTypeProvider<TypeBoxTypeProvider>();

    app.get(
      '/loyalty/program/',
      {
        schema: {
          tags: ['Loyalty program'],
          summary: 'The company’s loyalty program',
          response: { 200: ProgramSchema },
        },
      },
      (request) => getProgram(ctx.db, identity(request).companyId),
    );

    app.put(
      '/loyalty/program/',
      {
        schema: {
          tags: ['Loyalty program'],
          summary: 'Replace the loyalty program',
          description:
            'Tiers apply from the next operation on each customer; no tier is lowered by a program change.',
          body: ProgramSchema,
          response: { 200: ProgramSchema },
        },
      },
      async (request) => {
        const body = request.body;
        const program = validateProgram({
          tiers_enabled: body.tiers_enabled,
          qualification_metric: body.qualification_metric,
          tiers: body.tiers,
          welcome_reward: welcomeRewardOf(body.welcome_reward),
        } satisfies Program);
        const companyId = identity(request).companyId;
        await checkWelcomeReward(ctx.db, companyId, body.welcome_reward);
        await saveProgram(ctx.db, companyId, program, ctx.clock());
        return getProgram(ctx.db, companyId);
      },
    );
    return Promise.resolve();
  };
