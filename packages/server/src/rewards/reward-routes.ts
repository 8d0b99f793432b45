import type { FastifyPluginAsync } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { identity } from '../http/auth.js';
import { replyCreated, replyCreatedAt } from '../http/created.js';
import { Brl, IsoTimestamp, MemberIdParams, PageOf, PageQuery } from '../http/schemas.js';
import { checkIdempotencyKey } from '../points/idempotency.js';
import type { AppContext } from '../shared/context.js';
import { listRewards } from './list-rewards.js';
import { redeemReward } from './redeem-reward.js';
import { createReward, getReward, updateReward } from './reward-store.js';

const MAX_POINTS = 100_000_000;
const tags = ['Rewards'];

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T) =>
  Type.Union([schema, Type.Null()]);

const DiscountTypeSchema = Type.Union(
  [
    Type.Literal('percentage'),
    Type.Literal('fixed_amount'),
    Type.Literal('product_free'),
    Type.Literal('buy_one_get_one'),
  ],
  { description: 'percentage, fixed_amount, product_free or buy_one_get_one' },
);

const RewardSchema = Type.Object(
  {
    id: Type.String({ examples: ['rwd_5sVn2QpL8xWm3KcR7tYb9DfH'] }),
    name: Type.String(),
    description: Type.Union([Type.String(), Type.Null()]),
    points_required: Type.Integer(),
    discount_type: DiscountTypeSchema,
    discount_value: Type.Number({
      description: 'Percent off (`percentage`), BRL off (`fixed_amount`), 0 for the item-based types',
    }),
    maximum_discount: Type.Union([Type.Number(), Type.Null()], { description: 'BRL, or null: no cap' }),
    minimum_purchase: Type.Union([Type.Number(), Type.Null()], { description: 'BRL, or null: any order' }),
    validity_days: Type.Integer(),
    terms: Type.Union([Type.String(), Type.Null()]),
    active: Type.Boolean({ description: 'false: archived, out of the catalog (its coupons stay valid)' }),
    stock: Type.Union([Type.Integer(), Type.Null()], {
      description: 'Coupons left to issue; null: unlimited',
    }),
    created_at: IsoTimestamp,
    updated_at: IsoTimestamp,
  },
  { $id: 'Reward' },
);

const fields = {
  name: Type.String({ minLength: 1, maxLength: 200 }),
  description: Nullable(Type.String({ maxLength: 1000 })),
  points_required: Type.Integer({ minimum: 1, maximum: MAX_POINTS }),
  discount_type: DiscountTypeSchema,
  discount_value: Brl({
    maximum: 1_000_000,
    description:
      'Percent off (above 0, at most 100) for `percentage`; BRL off (above 0) for `fixed_amount`; 0 (the default) for `product_free` and `buy_one_get_one`',
  }),
  maximum_discount: Nullable(
    Brl({ description: 'The most one coupon takes off, BRL; not for `fixed_amount`' }),
  ),
  minimum_purchase: Nullable(Brl({ description: 'The smallest order a coupon applies to, BRL' })),
  validity_days: Type.Integer({
    minimum: 1,
    maximum: 3650,
    description: 'Days a coupon is valid from its redemption',
  }),
  terms: Nullable(Type.String({ maxLength: 2000 })),
  active: Type.Boolean(),
  stock: Nullable(Type.Integer({ minimum: 0, maximum: MAX_POINTS, description: 'null: unlimited' })),
};

const RedemptionSchema = Type.Object({
  customer_id: Type.String(),
  coupon_code: Type.String({ examples: ['CZ-7K2M9QXA'] }),
  points_used: Type.Integer(),
  new_balance: Type.Integer(),
  valid_until: IsoTimestamp,
  created_at: IsoTimestamp,
});

const IdParams = Type.Object({ id: Type.String({ maxLength: 100 }) });

export const rewardRoutes =
  (ctx: AppContext): FastifyPluginAsync =>
  (instance) => {
    const app = instance.withTypeProvider<TypeBoxTypeProvider>();

    app.post(
      '/rewards/',
      {
        schema: {
          tags,
          summary: 'Add a reward to the catalog',
          body: Type.Object(
            {
              name: fields.name,
              description: Type.Optional(fields.description),
              points_required: fields.points_required,
              discount_type: fields.discount_type,
              discount_value: Type.Optional(fields.discount_value),
              maximum_discount: Type.Optional(fields.maximum_discount),
              minimum_purchase: Type.Optional(fields.minimum_purchase),
              validity_days: fields.validity_days,
              terms: Type.Optional(fields.terms),
              active: Type.Optional(fields.active),
              stock: Type.Optional(fields.stock),
            },
            { additionalProperties: false },
          ),
          response: { 201: RewardSchema },
        },
      },
      async (request, reply) => {
        const reward = await createReward(ctx, identity(request).companyId, request.body);
        return replyCreated(request, reply, reward.id, reward);
      },
    );

    app.get(
      '/rewards/',
      {
        schema: {
          tags,
          summary: 'The reward catalog, newest first',
          description:
            '`active` filters on archived or not; `customer_id` with `redeemable=true` lists what that member can redeem now (active, in stock, within the balance).',
          querystring: Type.Object({
            ...PageQuery,
            active: Type.Optional(Type.Boolean()),
            customer_id: Type.Optional(MemberIdParams.properties.member_id),
            redeemable: Type.Optional(Type.Boolean()),
          }),
          response: { 200: PageOf(RewardSchema) },
        },
      },
      (request) =>
        listRewards(ctx, identity(request).companyId, {
          active: request.query.active,
          customer_id: request.query.customer_id,
          redeemable: request.query.redeemable,
          cursor: request.query.cursor,
          pageSize: request.query.page_size,
        }),
    );

    app.get(
      '/rewards/:id/',
      { schema: { tags, summary: 'A reward', params: IdParams, response: { 200: RewardSchema } } },
      (request) => getReward(ctx, identity(request).companyId, request.params.id),
    );

    app.patch(
      '/rewards/:id/',
      {
        schema: {
          tags,
          summary: 'Change, archive (`active: false`) or restock a reward',
          description:
            'A reward with coupons is never deleted: archive it. Coupons already issued keep the rules they were redeemed with.',
          params: IdParams,
          body: Type.Object(
            {
              name: Type.Optional(fields.name),
              description: Type.Optional(fields.description),
              points_required: Type.Optional(fields.points_required),
              discount_type: Type.Optional(fields.discount_type),
              discount_value: Type.Optional(fields.discount_value),
              maximum_discount: Type.Optional(fields.maximum_discount),
              minimum_purchase: Type.Optional(fields.minimum_purchase),
              validity_days: Type.Optional(fields.validity_days),
              terms: Type.Optional(fields.terms),
              active: Type.Optional(fields.active),
              stock: Type.Optional(fields.stock),
            },
            { additionalProperties: false, minProperties: 1 },
          ),
          response: { 200: RewardSchema },
        },
      },
      (request) => updateReward(ctx, identity(request).companyId, request.params.id, request.body),
    );

    app.post(
      '/customers/:member_id/rewards/:reward_id/redeem/',
      {
        schema: {
          tags,
          summary: 'Redeem a reward: points → coupon',
          description:
            'Debits `points_required` through the ledger (operation `redeem`; the tier never drops), issues a coupon `CZ-XXXXXXXX` and records `coupon.redeemed`, in one transaction. 422 `insufficient-balance` when the member cannot afford it, 409 when the reward is archived or out of stock; nothing is written then.',
          params: Type.Object({
            member_id: MemberIdParams.properties.member_id,
            reward_id: Type.String({ maxLength: 100 }),
          }),
          headers: Type.Object({
            'idempotency-key': Type.Optional(
              Type.String({
                description:
                  'Retries with the same key and body replay the first answer. Scoped to the member and the operation: the same key for another member is a new request',
              }),
            ),
          }),
          body: Type.Object(
            {
              redemption_method: Type.Optional(
                Type.Union(
                  [
                    Type.Literal('automatic'),
                    Type.Literal('manual'),
                    Type.Literal('app'),
                    Type.Literal('website'),
                  ],
                  { description: 'automatic, manual (the default), app or website' },
                ),
              ),
            },
            { additionalProperties: false },
          ),
          response: { 201: RedemptionSchema },
        },
      },
      async (request, reply) => {
        const redemption = await redeemReward(
          ctx,
          identity(request).companyId,
          request.params.member_id.toUpperCase(),
          request.params.reward_id,
          request.body,
          checkIdempotencyKey(request.headers['idempotency-key']),
        );
        // The coupon is the new resource: GET /coupons/{code}/.
        return replyCreatedAt(
          reply,
          `/api/v2/coupons/${encodeURIComponent(redemption.coupon_code)}/`,
          redemption,
        );
      },
    );
    return Promise.resolve();
  };
