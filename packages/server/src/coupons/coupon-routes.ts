import type { FastifyPluginAsync } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { identity } from '../http/auth.js';
import { Brl, IsoTimestamp, MemberIdParams, PageOf, PageQuery } from '../http/schemas.js';
import { checkIdempotencyKey } from '../points/idempotency.js';
import type { AppContext } from '../shared/context.js';
import { cancelCoupon } from './cancel-coupon.js';
import { listCoupons } from './list-coupons.js';
import { toCoupon } from './coupon.js';
import { findCoupon, validateCoupon } from './validate-coupon.js';

const tags = ['Coupons'];
const MemberId = MemberIdParams.properties.member_id;
const Code = Type.String({
  pattern: '^[Cc][PpZz]-[0-9A-Za-z]{8}$',
  description: 'A coupon code, any case: CZ-7K2M9QXA, or a welcome coupon’s CP-1A2B3C4D',
});
const NullableBrl = Type.Union([Type.Number(), Type.Null()], { description: 'BRL, or null' });
const NullableText = Type.Union([Type.String(), Type.Null()]);

const StatusSchema = Type.Union(
  [Type.Literal('active'), Type.Literal('used'), Type.Literal('expired'), Type.Literal('cancelled')],
  { description: 'active, used, expired (an active coupon past valid_until) or cancelled' },
);

const CouponSchema = Type.Object(
  {
    code: Type.String({ examples: ['CZ-7K2M9QXA'] }),
    customer_id: Type.String(),
    reward_id: Type.String(),
    reward_name: Type.String(),
    kind: Type.Union([Type.Literal('redeemed'), Type.Literal('welcome')]),
    status: StatusSchema,
    discount_type: Type.String(),
    discount_value: Type.Number(),
    maximum_discount: NullableBrl,
    minimum_purchase: NullableBrl,
    points_spent: Type.Integer(),
    redemption_method: Type.String(),
    valid_until: IsoTimestamp,
    created_at: IsoTimestamp,
    used_at: Type.Union([IsoTimestamp, Type.Null()]),
    cancelled_at: Type.Union([IsoTimestamp, Type.Null()]),
    order_value: NullableBrl,
    discount_applied: NullableBrl,
    final_value: NullableBrl,
    platform: NullableText,
    order_id: NullableText,
    location: NullableText,
    staff_member: NullableText,
  },
  { $id: 'Coupon' },
);

const IdempotencyHeaders = Type.Object({
  'idempotency-key': Type.Optional(
    Type.String({
      description:
        'Retries with the same key and body replay the first answer. Scoped to the member and the operation: the same key for another member is a new request',
    }),
  ),
});

const Platform = Type.Union(
  [
    Type.Literal('pos'),
    Type.Literal('manual'),
    Type.Literal('goomer'),
    Type.Literal('ifood'),
    Type.Literal('repediu'),
  ],
  { description: 'pos, manual, goomer, ifood or repediu' },
);

export const couponRoutes =
  (ctx: AppContext): FastifyPluginAsync =>
  (instance) => {
    const app = instance.withTypeProvider<TypeBoxTypeProvider>();

    app.post(
      '/customers/:member_id/coupons/:code/validate/',
      {
        schema: {
          tags,
          summary: 'Use a coupon at the counter',
          description:
            'Applies the discount of the coupon’s reward to the order (percentage capped by `maximum_discount`; fixed amount never above the order; `product_free` and `buy_one_get_one` from `items`), marks the coupon used and records `coupon.used`, in one transaction. 422 when `order_value` is below `minimum_purchase`; 409 `conflict` when the coupon is used, expired or cancelled — a retry with the same `Idempotency-Key` replays the first answer instead.',
          params: Type.Object({ member_id: MemberId, code: Code }),
          headers: IdempotencyHeaders,
          body: Type.Object(
            {
              order_value: Brl({ description: 'The order before the discount, BRL' }),
              platform: Platform,
              order_id: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
              location: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
              staff_member: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
              items: Type.Optional(
                Type.Array(
                  Type.Object(
                    {
                      name: Type.String({ minLength: 1, maxLength: 200 }),
                      quantity: Type.Integer({ minimum: 1, maximum: 10_000 }),
                      unit_price: Brl(),
                    },
                    { additionalProperties: false },
                  ),
                  { maxItems: 500 },
                ),
              ),
            },
            { additionalProperties: false },
          ),
          response: {
            200: Type.Object({
              customer_id: Type.String(),
              coupon_code: Type.String(),
              status: Type.Literal('used'),
              discount_applied: Type.Number({ description: 'BRL' }),
              final_value: Type.Number({ description: 'BRL' }),
              validated_at: IsoTimestamp,
            }),
          },
        },
      },
      (request) =>
        validateCoupon(
          ctx,
          identity(request).companyId,
          request.params.member_id.toUpperCase(),
          request.params.code,
          request.body,
          checkIdempotencyKey(request.headers['idempotency-key']),
        ),
    );

    app.get(
      '/coupons/issued/',
      {
        schema: {
          tags,
          summary: 'Coupons issued, newest first',
          querystring: Type.Object({
            ...PageQuery,
            status: Type.Optional(StatusSchema),
            customer_id: Type.Optional(MemberId),
            code: Type.Optional(Type.String({ maxLength: 20 })),
          }),
          response: { 200: PageOf(CouponSchema) },
        },
      },
      (request) =>
        listCoupons(
          ctx,
          identity(request).companyId,
          {
            status: request.query.status,
            customer_id: request.query.customer_id,
            code: request.query.code,
            cursor: request.query.cursor,
            pageSize: request.query.page_size,
          },
          ctx.clock(),
        ),
    );

    app.get(
      '/customers/:member_id/coupons/',
      {
        schema: {
          tags,
          summary: 'A customer’s coupons, newest first',
          params: MemberIdParams,
          querystring: Type.Object({ ...PageQuery, status: Type.Optional(StatusSchema) }),
          response: { 200: PageOf(CouponSchema) },
        },
      },
      (request) =>
        listCoupons(
          ctx,
          identity(request).companyId,
          {
            status: request.query.status,
            customer_id: request.params.member_id,
            cursor: request.query.cursor,
            pageSize: request.query.page_size,
          },
          ctx.clock(),
        ),
    );

    app.get(
      '/coupons/:code/',
      {
        schema: {
          tags,
          summary: 'A coupon, by code (any case)',
          params: Type.Object({ code: Code }),
          response: { 200: CouponSchema },
        },
      },
      async (request) =>
        toCoupon(await findCoupon(ctx.db, identity(request).companyId, request.params.code), ctx.clock()),
    );

    app.post(
      '/coupons/:code/cancel/',
      {
        schema: {
          tags,
          summary: 'Cancel a coupon and give its points back',
          description:
            'The points go back through the ledger (operation `refund`) and the unit back to the reward’s stock. 409 when the coupon is used, expired or already cancelled.',
          params: Type.Object({ code: Code }),
          headers: IdempotencyHeaders,
          response: {
            200: Type.Object({
              customer_id: Type.String(),
              coupon_code: Type.String(),
              status: Type.Literal('cancelled'),
              points_refunded: Type.Integer(),
              new_balance: Type.Integer(),
              cancelled_at: IsoTimestamp,
            }),
          },
        },
      },
      (request) =>
        cancelCoupon(
          ctx,
          identity(request).companyId,
          request.params.code,
          checkIdempotencyKey(request.headers['idempotency-key']),
        ),
    );
    return Promise.resolve();
  };
