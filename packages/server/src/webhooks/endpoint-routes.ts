import { replyCreated } from '../http/created.js';
import type { FastifyPluginAsync } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { identity } from '../http/auth.js';
import { EventTypeSchema, IsoTimestamp } from '../http/schemas.js';
import type { DeliveryContext } from '../delivery/delivery-context.js';
import {
  EndpointSchema,
  MAX_ROTATION_GRACE_SECONDS,
  OrderingSchema,
  RateLimitSchema,
  createEndpoint,
  deleteEndpoint,
  findEndpoint,
  listEndpoints,
  revealSecret,
  rotateSecret,
  endpointView,
  updateEndpoint,
} from './endpoint-store.js';
import { assertReplayable, findReplayable, scheduleReplay } from '../delivery/replay-deliveries.js';
import { TestSendSchema, sendTestEvent } from './test-send.js';

const Url = Type.String({
  minLength: 1,
  maxLength: 2048,
  description: 'https:// URL that receives the POSTs',
});
const Events = Type.Array(EventTypeSchema, {
  maxItems: 10,
  description:
    'Event types to receive; empty = every customer event. The operational events (endpoint.disabled, endpoint.enabled, delivery.failed) come only when named here, and never about this endpoint itself.',
});
const Description = Type.Union([Type.String({ maxLength: 500 }), Type.Null()]);

const IdParams = Type.Object({ id: Type.String({ maxLength: 100 }) });
const Secret = Type.Object({ secret: Type.String({ description: 'whsec_ + base64 of 32 random bytes' }) });

export const endpointRoutes =
  (ctx: DeliveryContext): FastifyPluginAsync =>
  (instance) => {
    const app = instance.withTypeProvider<TypeBoxTypeProvider>();
    const tags = ['Webhook endpoints'];

    app.post(
      '/webhooks/endpoints/',
      {
        schema: {
          tags,
          summary: 'Register a webhook endpoint',
          description:
            'At most 10 per company. The full secret is in this answer and from the reveal call only. URLs that resolve to private, loopback or link-local addresses are refused unless the operator allows private networks.',
          body: Type.Object(
            {
              url: Url,
              events: Type.Optional(Events),
              description: Type.Optional(Description),
              ordering: Type.Optional(OrderingSchema),
              rate_limit: Type.Optional(RateLimitSchema),
            },
            { additionalProperties: false },
          ),
          response: { 201: Type.Object({ ...EndpointSchema.properties, ...Secret.properties }) },
        },
      },
      async (request, reply) => {
        const created = await createEndpoint(ctx, identity(request).companyId, request.body);
        return replyCreated(request, reply, created.id, created);
      },
    );

    app.get(
      '/webhooks/endpoints/',
      {
        schema: {
          tags,
          summary: 'List webhook endpoints',
          response: { 200: Type.Object({ data: Type.Array(EndpointSchema) }) },
        },
      },
      async (request) => ({
        data: await Promise.all(
          (await listEndpoints(ctx.db, identity(request).companyId)).map((row) => endpointView(ctx.db, row)),
        ),
      }),
    );

    app.get(
      '/webhooks/endpoints/:id/',
      {
        schema: {
          tags,
          summary: 'One webhook endpoint',
          params: IdParams,
          response: { 200: EndpointSchema },
        },
      },
      async (request) =>
        endpointView(ctx.db, await findEndpoint(ctx.db, identity(request).companyId, request.params.id)),
    );

    app.patch(
      '/webhooks/endpoints/:id/',
      {
        schema: {
          tags,
          summary: 'Change a webhook endpoint',
          description:
            'Setting `enabled: false` pauses it: its deliveries are held (recorded, not sent, not retried, not expired) until `enabled: true`, when they flow, oldest first, each member’s in order, with a fresh retry series. `discard_held: true` with `enabled: true` drops the held deliveries instead (they end as `discarded`); never by default. An endpoint disabled by hand is not probed.',
          params: IdParams,
          body: Type.Object(
            {
              url: Type.Optional(Url),
              events: Type.Optional(Events),
              description: Type.Optional(Description),
              enabled: Type.Optional(Type.Boolean()),
              ordering: Type.Optional(OrderingSchema),
              rate_limit: Type.Optional(RateLimitSchema),
              discard_held: Type.Optional(
                Type.Boolean({
                  description: 'With `enabled: true`: drop the deliveries held while it was disabled',
                }),
              ),
            },
            { additionalProperties: false },
          ),
          response: { 200: EndpointSchema },
        },
      },
      (request) => updateEndpoint(ctx, identity(request).companyId, request.params.id, request.body),
    );

    app.delete(
      '/webhooks/endpoints/:id/',
      {
        schema: {
          tags,
          summary: 'Delete a webhook endpoint (its delivery log stays)',
          description:
            'Its pending and held deliveries end as `failed` and are never sent: deleting drops its pending work. To keep it, disable the endpoint instead (`PATCH {enabled: false}`).',
          params: IdParams,
        },
      },
      async (request, reply) => {
        await deleteEndpoint(ctx, identity(request).companyId, request.params.id);
        return reply.code(204).send();
      },
    );

    app.get(
      '/webhooks/endpoints/:id/secret/',
      {
        config: { requiresReadWrite: true },
        schema: {
          tags,
          summary: 'Reveal the signing secret (read-write keys only)',
          params: IdParams,
          response: { 200: Secret },
        },
      },
      (request) => revealSecret(ctx, identity(request).companyId, request.params.id),
    );

    app.post(
      '/webhooks/endpoints/:id/secret/rotate/',
      {
        schema: {
          tags,
          summary: 'Rotate the signing secret',
          description:
            'Makes a new secret current (the answer and `GET …/secret/` show it) and starts a grace period of `grace_seconds` (default 86400, at most 7 days), until `previous_secret_expires_at`. During it, `X-Zupy-Signature` (one value) stays signed with the OLD secret, so a receiver that knows only the old one keeps working, and `webhook-signature` carries two `v1,` entries, old and new. When it ends, both headers are signed with the new secret only. Move a receiver by accepting both secrets, then dropping the old one after the grace period. `grace_seconds: 0` (for a leaked secret) switches both headers to the new secret at once and `previous_secret_expires_at` is null. Rotating again during a grace period starts a new one: the secret that was current becomes the previous one, and the one before it stops signing at once.',
          params: IdParams,
          body: Type.Optional(
            Type.Object(
              {
                grace_seconds: Type.Optional(
                  Type.Integer({ minimum: 0, maximum: MAX_ROTATION_GRACE_SECONDS }),
                ),
              },
              { additionalProperties: false },
            ),
          ),
          response: {
            200: Type.Object({
              secret: Type.String(),
              previous_secret_expires_at: Type.Union([IsoTimestamp, Type.Null()]),
            }),
          },
        },
      },
      (request) =>
        rotateSecret(ctx, identity(request).companyId, request.params.id, request.body?.grace_seconds),
    );

    app.post(
      '/webhooks/endpoints/:id/replay/',
      {
        schema: {
          tags,
          summary: 'Redeliver the endpoint’s deliveries of a period',
          description:
            'Schedules the deliveries created since `since` (default: 7 days ago) in `status` (default `failed`) to be sent again, paced at `rate` per second; the same as `zupy replay`.',
          params: IdParams,
          body: Type.Object(
            {
              status: Type.Optional(
                Type.Union([
                  Type.Literal('failed'),
                  Type.Literal('succeeded'),
                  Type.Literal('pending'),
                  Type.Literal('discarded'),
                  Type.Literal('any'),
                ]),
              ),
              since: Type.Optional(Type.String({ format: 'date-time' })),
              rate: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
            },
            { additionalProperties: false },
          ),
          response: { 202: Type.Object({ count: Type.Integer() }) },
        },
      },
      async (request, reply) => {
        const endpoint = await findEndpoint(ctx.db, identity(request).companyId, request.params.id);
        await assertReplayable(ctx.db, endpoint.id);
        const now = ctx.clock();
        const candidates = await findReplayable(ctx.db, {
          endpointId: endpoint.id,
          since: request.body.since ? new Date(request.body.since) : new Date(now.getTime() - 7 * 86_400_000),
          status: request.body.status ?? 'failed',
        });
        await scheduleReplay(
          ctx.db,
          candidates.map((c) => c.id),
          { now, ratePerSecond: request.body.rate ?? 10 },
        );
        return reply.code(202).send({ count: candidates.length });
      },
    );

    app.post(
      '/webhooks/endpoints/:id/test/',
      {
        schema: {
          tags,
          summary: 'Send a test event',
          description:
            'Sends the sample payload of `event` (any event type, operational ones included, whether or not the endpoint subscribes to it) for your company, signed with the real secret and marked `X-Zupy-Test: true`, and answers with what the receiver said (200 even when the receiver failed). Logged as a delivery; touches no customer. The operational samples describe the documentation’s example endpoint, not a real one.',
          params: IdParams,
          body: Type.Object({ event: Type.Optional(EventTypeSchema) }, { additionalProperties: false }),
          response: { 200: TestSendSchema },
        },
      },
      (request) =>
        sendTestEvent(
          ctx,
          identity(request).companyId,
          request.params.id,
          request.body.event ?? 'customer.registered',
        ),
    );
    return Promise.resolve();
  };
