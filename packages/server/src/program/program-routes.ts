import type { FastifyPluginAsync } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type, type TSchema } from 'typebox';
import { identity } from '../http/auth.js';
import { TierNameSchema } from '../http/schemas.js';
import type { AppContext } from '../shared/context.js';
import { DEFAULT_EARNING, type Program } from './program.js';
import { checkWelcomeReward } from './check-welcome-reward.js';
import { getProgram, saveProgram, welcomeRewardOf } from './program-store.js';
import { earningFromInput, validateProgram } from './validate-program.js';

const Multiplier = (description: string) =>
  Type.Number({ minimum: 1, maximum: 100, multipleOf: 0.01, description });

const TierSchema = (input: boolean) => {
  const optional = <T extends TSchema>(schema: T) => (input ? Type.Optional(schema) : schema);
  return Type.Object(
    {
      name: TierNameSchema,
      threshold: Type.Number({ minimum: 0, maximum: 1_000_000_000, description: 'In the metric’s unit' }),
      points_multiplier: optional(
        Multiplier('Multiplies what the member’s orders earn, on top of the bonuses (default 1)'),
      ),
      benefits: optional(
        Type.Array(Type.String({ minLength: 1, maxLength: 200 }), {
          maxItems: 10,
          description:
            'What the tier gives, in your words; shown to integrators as next_tier.benefits_preview',
        }),
      ),
    },
    { additionalProperties: false },
  );
};

const BonusSchema = Type.Object(
  {
    type: Type.Union(
      [Type.Literal('category_bonus'), Type.Literal('happy_hour'), Type.Literal('special_promotion')],
      {
        description:
          '`category_bonus`: items of `category` earn × multiplier; `happy_hour`: orders on `weekdays` from `start` to `end` (HH:MM, end excluded); `special_promotion`: orders from `start_date` to `end_date` (both included). Times and dates in the company’s time zone.',
      },
    ),
    multiplier: Multiplier('e.g. 2 or 1.5'),
    description: Type.Optional(
      Type.String({ maxLength: 200, description: 'Shown in points.earned; generated when left out' }),
    ),
    category: Type.Optional(Type.String({ maxLength: 100 })),
    weekdays: Type.Optional(
      Type.Array(
        Type.Union([
          Type.Literal('mon'),
          Type.Literal('tue'),
          Type.Literal('wed'),
          Type.Literal('thu'),
          Type.Literal('fri'),
          Type.Literal('sat'),
          Type.Literal('sun'),
        ]),
        { minItems: 1, maxItems: 7 },
      ),
    ),
    start: Type.Optional(Type.String({ pattern: '^([01][0-9]|2[0-3]):[0-5][0-9]$', description: 'HH:MM' })),
    end: Type.Optional(Type.String({ pattern: '^([01][0-9]|2[0-3]):[0-5][0-9]$', description: 'HH:MM' })),
    start_date: Type.Optional(
      Type.String({ pattern: '^[0-9]{4}-[0-9]{2}-[0-9]{2}$', description: 'YYYY-MM-DD' }),
    ),
    end_date: Type.Optional(
      Type.String({ pattern: '^[0-9]{4}-[0-9]{2}-[0-9]{2}$', description: 'YYYY-MM-DD' }),
    ),
  },
  { additionalProperties: false },
);

const EarningSchema = Type.Object(
  {
    points_per_currency: Type.Number({
      minimum: 0.01,
      maximum: 1000,
      multipleOf: 0.01,
      description: 'Points per real of the order value (default 1)',
    }),
    rounding: Type.Union([Type.Literal('floor'), Type.Literal('round')], {
      description: '`floor` (default) or `round` (half up), at each stage of the calculation',
    }),
    bonuses: Type.Array(BonusSchema, { maxItems: 20 }),
  },
  { additionalProperties: false },
);

const programFields = (input: boolean) => {
  const optional = <T extends TSchema>(schema: T) => (input ? Type.Optional(schema) : schema);
  return {
    tiers_enabled: Type.Boolean(),
    qualification_metric: Type.Union([
      Type.Literal('points_balance'),
      Type.Literal('total_spent'),
      Type.Literal('transaction_count'),
    ]),
    tiers: Type.Array(TierSchema(input), { maxItems: 6, description: 'From lowest to highest threshold' }),
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
    earning: optional({
      ...EarningSchema,
      description: 'How orders earn points; left out: 1 point per real, floor, no bonuses',
    }),
    point_expiration_days: optional(
      Type.Integer({
        minimum: 0,
        maximum: 3650,
        description:
          'Earned points expire this many days after their credit, oldest first; 0 (default): never',
      }),
    ),
  };
};

const ProgramSchema = Type.Object(programFields(false), {
  additionalProperties: false,
  $id: 'LoyaltyProgram',
});
const ProgramInputSchema = Type.Object(programFields(true), {
  additionalProperties: false,
  $id: 'LoyaltyProgramInput',
});

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
            'Tiers apply from the next operation on each customer; no tier is lowered by a program change. Fields left out of `earning`, the tiers’ `points_multiplier` and `benefits`, and `point_expiration_days` take their defaults (the request replaces the whole program).',
          body: ProgramInputSchema,
          response: { 200: ProgramSchema },
        },
      },
      async (request) => {
        const body = request.body;
        const program = validateProgram({
          tiers_enabled: body.tiers_enabled,
          qualification_metric: body.qualification_metric,
          tiers: body.tiers.map((t) => ({
            name: t.name,
            threshold: t.threshold,
            points_multiplier: t.points_multiplier ?? 1,
            benefits: (t.benefits ?? []).map((b) => b.trim()),
          })),
          welcome_reward: welcomeRewardOf(body.welcome_reward),
          earning: body.earning ? earningFromInput(body.earning) : DEFAULT_EARNING,
          point_expiration_days: body.point_expiration_days ?? 0,
        } satisfies Program);
        const companyId = identity(request).companyId;
        await checkWelcomeReward(ctx.db, companyId, body.welcome_reward);
        await saveProgram(ctx.db, companyId, program, ctx.clock());
        return getProgram(ctx.db, companyId);
      },
    );
    return Promise.resolve();
  };
