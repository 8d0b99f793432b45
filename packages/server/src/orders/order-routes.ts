import type { FastifyPluginAsync } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { EARNING_PLATFORMS } from '@zupy/webhooks';
import { Type } from 'typebox';
import { identity } from '../http/auth.js';
import { replyCreatedAt } from '../http/created.js';
import { Brl, MemberIdParams } from '../http/schemas.js';
import type { AppContext } from '../shared/context.js';
import { recordOrder } from './record-order.js';

const OrderResultSchema = Type.Object({
  transaction_id: Type.String({
    description: 'txn_…, as in the points.earned event',
    examples: ['txn_8Kp2VfQ7mZ3xW9bLcR4tYs6N'],
  }),
  points_earned: Type.Integer({ description: 'base_points + bonus_points' }),
  base_points: Type.Integer(),
  bonus_points: Type.Integer(),
  new_balance: Type.Integer(),
  tier: Type.String({ description: 'The tier after the order' }),
  tier_upgraded: Type.Boolean(),
});

const OrderPlatform = Type.Union(
  [
    Type.Literal('pos'),
    Type.Literal('manual'),
    Type.Literal('goomer'),
    Type.Literal('ifood'),
    Type.Literal('repediu'),
    Type.Literal('saipos'),
  ],
  { description: `Where the order was placed: ${EARNING_PLATFORMS.join(', ')}` },
);

export const orderRoutes =
  (ctx: AppContext): FastifyPluginAsync =>
  (instance) => {
    const app = instance.withTypeProvider<TypeBoxTypeProvider>();

    app.post(
      '/customers/:member_id/orders/',
      {
        schema: {
          tags: ['Orders'],
          summary: 'Record an order: it earns points by the program’s earning rules',
          description:
            'Credits the points the earning rules give (points per real, category bonuses, happy hours, promotions, the tier’s multiplier), adds `order_value` to `total_spent`, counts one transaction and re-evaluates the tier, recording `points.earned` and then any `tier.upgraded`. Idempotent on `(platform, order_id)`: the same order again answers 200 with the first result and credits nothing; the same order id for another member is a 409. A new order answers 201 with `Location`: the member’s points history, whose newest entry is the order’s.',
          params: MemberIdParams,
          body: Type.Object(
            {
              order_id: Type.String({ minLength: 1, maxLength: 100 }),
              order_value: Brl({ minimum: 0.01 }),
              platform: OrderPlatform,
              payment_method: Type.Optional(Type.String({ maxLength: 50, examples: ['pix', 'credit_card'] })),
              items: Type.Optional(
                Type.Array(
                  Type.Object(
                    {
                      name: Type.String({ minLength: 1, maxLength: 200 }),
                      category: Type.Optional(Type.String({ maxLength: 100 })),
                      quantity: Type.Integer({ minimum: 1, maximum: 10_000 }),
                      unit_price: Brl({ maximum: 1_000_000 }),
                    },
                    { additionalProperties: false },
                  ),
                  { maxItems: 200 },
                ),
              ),
              ordered_at: Type.Optional(
                Type.String({
                  maxLength: 40,
                  description:
                    'When the order was placed (ISO 8601 with an offset or Z); default now. Happy hours and promotions are read at this moment, in the company’s time zone',
                }),
              ),
            },
            { additionalProperties: false },
          ),
          response: { 200: OrderResultSchema, 201: OrderResultSchema },
        },
      },
      async (request, reply) => {
        const memberId = request.params.member_id.toUpperCase();
        const { result, replayed } = await recordOrder(
          ctx,
          identity(request).companyId,
          memberId,
          request.body,
        );
        if (replayed) return reply.status(200).send(result);
        // The order's ledger entry heads the member's points history (an entry has no URL of its own).
        return replyCreatedAt(
          reply,
          `/api/v2/customers/${encodeURIComponent(memberId)}/points/history/`,
          result,
        );
      },
    );
    return Promise.resolve();
  };
