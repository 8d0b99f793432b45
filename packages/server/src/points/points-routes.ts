import type { FastifyPluginAsync } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { identity } from '../http/auth.js';
import { Brl, IsoTimestamp, MemberIdParams, PageOf, PageQuery } from '../http/schemas.js';
import type { AppContext } from '../shared/context.js';
import { checkIdempotencyKey } from './idempotency.js';
import { pointsHistory } from './points-history.js';
import { addPoints, spendPoints } from './points-operation.js';

const MAX_POINTS = 100_000_000;

const PointsResultSchema = Type.Object({
  customer_id: Type.String(),
  operation: Type.Union([Type.Literal('add'), Type.Literal('spend')]),
  amount: Type.Integer(),
  balance_before: Type.Integer(),
  balance_after: Type.Integer(),
  tier: Type.String(),
  tier_upgraded: Type.Boolean(),
  created_at: IsoTimestamp,
});

const IdempotencyHeaders = Type.Object({
  'idempotency-key': Type.Optional(
    Type.String({
      description:
        'Retries with the same key and body replay the first answer; nothing is applied twice. Scoped to the member and the operation: the same key for another member is a new request',
    }),
  ),
});

const Amount = Type.Integer({ minimum: 1, maximum: MAX_POINTS });
const Reason = Type.Optional(Type.String({ maxLength: 500 }));

export const pointsRoutes =
  (ctx: AppContext): FastifyPluginAsync =>
  (instance) => {
    const app = instance.withTypeProvider<TypeBoxTypeProvider>();

    app.post(
      '/customers/:member_id/points/add/',
      {
        schema: {
          tags: ['Points'],
          summary: 'Credit points',
          description:
            'Re-evaluates the tier and records `tier.upgraded` when the qualification metric crosses a threshold. `order_value` (BRL) adds to `total_spent` and counts one transaction.',
          params: MemberIdParams,
          headers: IdempotencyHeaders,
          body: Type.Object(
            {
              amount: Amount,
              reason: Reason,
              order_value: Type.Optional(Brl()),
            },
            { additionalProperties: false },
          ),
          response: { 200: PointsResultSchema },
        },
      },
      (request) =>
        addPoints(
          ctx,
          identity(request).companyId,
          request.params.member_id.toUpperCase(),
          request.body,
          checkIdempotencyKey(request.headers['idempotency-key']),
        ),
    );

    app.post(
      '/customers/:member_id/points/spend/',
      {
        schema: {
          tags: ['Points'],
          summary: 'Spend points',
          description:
            '422 `insufficient-balance` when the balance is short. Spending never lowers the tier.',
          params: MemberIdParams,
          headers: IdempotencyHeaders,
          body: Type.Object({ amount: Amount, reason: Reason }, { additionalProperties: false }),
          response: { 200: PointsResultSchema },
        },
      },
      (request) =>
        spendPoints(
          ctx,
          identity(request).companyId,
          request.params.member_id.toUpperCase(),
          request.body,
          checkIdempotencyKey(request.headers['idempotency-key']),
        ),
    );

    app.get(
      '/customers/:member_id/points/history/',
      {
        schema: {
          tags: ['Points'],
          summary: 'A customer’s points ledger, newest first',
          params: MemberIdParams,
          querystring: Type.Object(PageQuery),
          response: {
            200: PageOf(
              Type.Object({
                id: Type.Integer(),
                operation: Type.String({
                  description:
                    'welcome, add, order (an order’s points), spend, redeem (a reward’s coupon), refund (a cancelled coupon), expire (points older than point_expiration_days)',
                }),
                amount: Type.Integer(),
                balance_before: Type.Integer(),
                balance_after: Type.Integer(),
                reason: Type.Union([Type.String(), Type.Null()]),
                order_value: Type.Union([Type.Number(), Type.Null()]),
                created_at: IsoTimestamp,
              }),
            ),
          },
        },
      },
      (request) =>
        pointsHistory(ctx, identity(request).companyId, request.params.member_id.toUpperCase(), {
          cursor: request.query.cursor,
          pageSize: request.query.page_size,
        }),
    );
    return Promise.resolve();
  };
