import type { FastifyPluginAsync } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { identity } from '../http/auth.js';
import { EventTypeSchema, IsoTimestamp, PageOf, PageQuery } from '../http/schemas.js';
import type { AppContext } from '../shared/context.js';
import { listEvents } from './list-events.js';

export const eventRoutes =
  (ctx: AppContext): FastifyPluginAsync =>
  (instance) => {
    const app = instance.withTypeProvider<TypeBoxTypeProvider>();
    app.get(
      '/events/',
      {
        schema: {
          tags: ['Events'],
          summary: 'The company’s events in order, for catching up by pulling',
          description:
            'Pass the last page’s `meta.cursor` as `after` to get what came since. `payload` is the webhook body.',
          querystring: Type.Object({
            ...PageQuery,
            after: Type.Optional(Type.String({ maxLength: 200 })),
            type: Type.Optional(EventTypeSchema),
          }),
          response: {
            200: PageOf(
              Type.Object({
                id: Type.String(),
                type: Type.String(),
                created_at: IsoTimestamp,
                payload: Type.Unknown(),
              }),
            ),
          },
        },
      },
      (request) =>
        listEvents(ctx, identity(request).companyId, {
          after: request.query.after ?? request.query.cursor,
          type: request.query.type,
          pageSize: request.query.page_size,
        }),
    );
    return Promise.resolve();
  };
