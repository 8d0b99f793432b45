import type { FastifyPluginAsync } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type, type Static } from 'typebox';
import { identity } from '../http/auth.js';
import { EventTypeSchema, IsoTimestamp, PageQuery, PageWithTotalOf } from '../http/schemas.js';
import type { DeliveryContext } from './delivery-context.js';
import { AttemptErrorCodeSchema, AttemptErrorParamsSchema } from './attempt-error-schema.js';
import { getDelivery, listDeliveries, redeliver } from './delivery-queries.js';

const Status = Type.Union(
  [
    Type.Literal('pending'),
    Type.Literal('held'),
    Type.Literal('succeeded'),
    Type.Literal('failed'),
    Type.Literal('discarded'),
  ],
  {
    description:
      '`pending`: waiting to be sent (now, at a retry, or after the member’s earlier delivery: `waiting_for`); `held`: pending while its endpoint is disabled — sent once it is enabled again; `succeeded`; `failed`: every attempt failed; `discarded`: held, then dropped by `PATCH {enabled: true, discard_held: true}`.',
  },
);

const DeliveryFields = {
  id: Type.String(),
  event_id: Type.String(),
  event_type: Type.String(),
  endpoint_id: Type.String(),
  status: Status,
  attempts_count: Type.Integer(),
  next_attempt_at: Type.Union([IsoTimestamp, Type.Null()]),
  waiting_for: Type.Union([Type.String(), Type.Null()], {
    description:
      'The member’s earlier delivery to the same endpoint that this one waits for (per-member order); it goes once that one succeeded or failed',
  }),
  kind: Type.Union([Type.Literal('event'), Type.Literal('test'), Type.Literal('probe')], {
    description: '`event`; `test`: a test send; `probe`: Zupy probing a disabled endpoint',
  }),
  test: Type.Boolean({ description: 'A test send or a probe (`X-Zupy-Test: true`)' }),
  created_at: IsoTimestamp,
};
const DeliverySchema = Type.Object(DeliveryFields);
/** A page of the delivery log; `meta.total` only when `include_total=true`. */
const DeliveryPageSchema = PageWithTotalOf(DeliverySchema, 'delivery');
/** A delivery as the API answers it (the schema, so what goes on the wire). */
export type DeliveryResponse = Static<typeof DeliverySchema>;

const AttemptSchema = Type.Object({
  attempt: Type.Integer(),
  started_at: Type.String(),
  duration_ms: Type.Integer(),
  request_headers: Type.Record(Type.String(), Type.String()),
  response_status: Type.Union([Type.Integer(), Type.Null()]),
  response_body: Type.Union([Type.String(), Type.Null()], { description: 'The first 4 KB' }),
  error: Type.Union([Type.String(), Type.Null()], {
    description:
      'Why no HTTP answer came, in English (unchanged for existing integrations); null when one came',
  }),
  error_code: AttemptErrorCodeSchema,
  error_params: AttemptErrorParamsSchema,
});
/** One attempt, in `GET /webhooks/deliveries/{id}/`. */
export type DeliveryAttemptResponse = Static<typeof AttemptSchema>;

const DeliveryDetailSchema = Type.Object({
  ...DeliveryFields,
  endpoint_url: Type.Union([Type.String(), Type.Null()], {
    description: 'null once the endpoint is deleted',
  }),
  endpoint_description: Type.Union([Type.String(), Type.Null()]),
  body: Type.Union([Type.String(), Type.Null()], {
    description:
      'The body exactly as signed and sent (the bytes `X-Zupy-Signature` covers): verify it as it is, never re-serialized',
  }),
  attempts: Type.Array(AttemptSchema),
});
/** `GET /webhooks/deliveries/{id}/`. */
export type DeliveryDetailResponse = Static<typeof DeliveryDetailSchema>;

const IdParams = Type.Object({ id: Type.String({ maxLength: 100 }) });

export const deliveryRoutes =
  (ctx: DeliveryContext): FastifyPluginAsync =>
  (instance) => {
    const app = instance.withTypeProvider<TypeBoxTypeProvider>();
    const tags = ['Deliveries'];

    app.get(
      '/webhooks/deliveries/',
      {
        schema: {
          tags,
          summary: 'The delivery log, newest first',
          querystring: Type.Object({
            ...PageQuery,
            endpoint_id: Type.Optional(Type.String({ maxLength: 100 })),
            status: Type.Optional(Status),
            event: Type.Optional(EventTypeSchema),
            include_total: Type.Optional(
              Type.Boolean({
                description:
                  '`true`: `meta.total` counts every delivery matching `endpoint_id`, `status` and `event` (all pages). It costs one count over the matches, so it is only done when asked',
              }),
            ),
          }),
          response: { 200: DeliveryPageSchema },
        },
      },
      (request) =>
        listDeliveries(ctx, identity(request).companyId, {
          endpointId: request.query.endpoint_id,
          status: request.query.status,
          event: request.query.event,
          cursor: request.query.cursor,
          pageSize: request.query.page_size,
          includeTotal: request.query.include_total === true,
        }),
    );

    app.get(
      '/webhooks/deliveries/:id/',
      {
        schema: {
          tags,
          summary: 'A delivery with its endpoint, its exact body and every attempt',
          params: IdParams,
          response: { 200: DeliveryDetailSchema },
        },
      },
      (request) => getDelivery(ctx.db, identity(request).companyId, request.params.id),
    );

    app.post(
      '/webhooks/deliveries/:id/redeliver/',
      {
        schema: {
          tags,
          summary: 'Send a delivery again now',
          description: 'Same event id and body; attempts keep counting up; a fresh retry series.',
          params: IdParams,
          response: { 202: DeliverySchema },
        },
      },
      async (request, reply) =>
        reply.code(202).send(await redeliver(ctx, identity(request).companyId, request.params.id)),
    );
    return Promise.resolve();
  };
