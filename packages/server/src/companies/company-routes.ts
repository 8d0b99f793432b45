import type { FastifyPluginAsync } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { identity } from '../http/auth.js';
import type { AppContext } from '../shared/context.js';

export const companyRoutes =
  (ctx: AppContext): FastifyPluginAsync =>
  (instance) => {
    const app = instance.withTypeProvider<TypeBoxTypeProvider>();
    app.get(
      '/me/',
      {
        schema: {
          tags: ['Company'],
          summary: 'The company and permissions of the API key in use',
          response: {
            200: Type.Object({
              company_id: Type.String(),
              company_name: Type.String(),
              read_only: Type.Boolean(),
            }),
          },
        },
      },
      async (request) => {
        const { companyId, readOnly } = identity(request);
        const company = await ctx.db
          .selectFrom('companies')
          .select(['id', 'name'])
          .where('id', '=', companyId)
          .executeTakeFirstOrThrow();
        return { company_id: company.id, company_name: company.name, read_only: readOnly };
      },
    );
    return Promise.resolve();
  };
