import type { FastifyPluginAsync } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { EVENT_TYPES } from '@zupy/webhooks';
import { Type } from 'typebox';
import { ZupyError } from '../errors.js';
import { identity } from '../http/auth.js';
import type { DeliveryContext } from '../delivery/delivery-context.js';
import { createEndpoint, listEndpoints, maskSecret, updateEndpoint } from './endpoint-store.js';
import { EventTypeSchema } from '../http/schemas.js';
import { sendTestEvent, TestSendSchema } from './test-send.js';

const IntegrationSchema = Type.Object({
  webhook_url: Type.Union([Type.String(), Type.Null()]),
  webhook_events: Type.Array(Type.String()),
  webhook_secret: Type.Union([Type.String(), Type.Null()], {
    description: 'Masked: last 4 characters visible',
  }),
  available_events: Type.Array(Type.String()),
});

/** The documented single-URL form: a view of the company's first endpoint. */
async function integrationView(ctx: DeliveryContext, companyId: string) {
  const [first] = await listEndpoints(ctx.db, companyId);
  const enabled = first !== undefined && first.enabled === 1;
  return {
    webhook_url: enabled ? first.url : null,
    webhook_events: enabled ? (JSON.parse(first.events) as string[]) : [],
    webhook_secret: first ? maskSecret(ctx.webhooks.secretBox.open(first.secret_ciphertext, first.id)) : null,
    available_events: [...EVENT_TYPES],
  };
}

export const integrationRoutes =
  (ctx: DeliveryContext): FastifyPluginAsync =>
  (instance) => {
    const app = instance.withTypeProvider<TypeBoxTypeProvider>();
    const tags = ['Webhooks (single URL)'];

    app.get(
      '/integrations/webhooks/',
      {
        schema: {
          tags,
          summary: 'The company’s webhook URL (its first endpoint)',
          response: { 200: IntegrationSchema },
        },
      },
      (request) => integrationView(ctx, identity(request).companyId),
    );

    app.put(
      '/integrations/webhooks/',
      {
        schema: {
          tags,
          summary: 'Set the webhook URL',
          description:
            '`webhook_events: []` means every customer event (operational events only when named); `webhook_url: null` or `""` disables the webhook.',
          body: Type.Object(
            {
              webhook_url: Type.Union([Type.String({ maxLength: 2048 }), Type.Null()], {
                description: 'https:// URL; `null` or `""` disables the webhook',
              }),
              webhook_events: Type.Optional(Type.Array(EventTypeSchema, { maxItems: 10 })),
            },
            { additionalProperties: false },
          ),
          response: { 200: IntegrationSchema },
        },
      },
      async (request) => {
        const companyId = identity(request).companyId;
        const [first] = await listEndpoints(ctx.db, companyId);
        const { webhook_url: given, webhook_events: events } = request.body;
        // Zupy's docs: an empty URL turns the webhook off, like null.
        const url = given === null || given.trim() === '' ? null : given;
        if (url === null) {
          if (first) await updateEndpoint(ctx, companyId, first.id, { enabled: false });
        } else if (first) {
          await updateEndpoint(ctx, companyId, first.id, { url, events: events ?? [], enabled: true });
        } else {
          await createEndpoint(ctx, companyId, { url, events: events ?? [] });
        }
        return integrationView(ctx, companyId);
      },
    );

    app.post(
      '/integrations/webhooks/test/',
      {
        schema: {
          tags,
          summary: 'Send a test event to the webhook URL',
          description:
            '200 even when the receiver failed: read `success`, `status_code`, and `error_code` (a stable code, with `error_params`) or `error` (the same in English).',
          body: Type.Optional(
            Type.Object({ event: Type.Optional(EventTypeSchema) }, { additionalProperties: false }),
          ),
          response: {
            200: Type.Object({
              success: Type.Boolean(),
              status_code: Type.Union([Type.Integer(), Type.Null()]),
              error: Type.Union([Type.String(), Type.Null()]),
              error_code: TestSendSchema.properties.error_code,
              error_params: TestSendSchema.properties.error_params,
            }),
          },
        },
      },
      async (request) => {
        const companyId = identity(request).companyId;
        const [first] = await listEndpoints(ctx.db, companyId);
        if (!first || first.enabled === 0) {
          throw new ZupyError('ZUPY_CONFLICT', 'no webhook URL is set; PUT /integrations/webhooks/ first');
        }
        const result = await sendTestEvent(
          ctx,
          companyId,
          first.id,
          request.body?.event ?? 'customer.registered',
        );
        return {
          success: result.success,
          status_code: result.status_code,
          error: result.error,
          error_code: result.error_code,
          error_params: result.error_params,
        };
      },
    );
    return Promise.resolve();
  };
