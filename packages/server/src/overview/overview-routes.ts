import type { FastifyPluginAsync } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { identity } from '../http/auth.js';
import type { AppContext } from '../shared/context.js';
import { overviewStats } from './overview-stats.js';

const Nullable = <T extends ReturnType<typeof Type.Number>>(t: T) => Type.Union([t, Type.Null()]);

export const overviewRoutes =
  (ctx: AppContext): FastifyPluginAsync =>
  (instance) => {
    const app = instance.withTypeProvider<TypeBoxTypeProvider>();
    app.get(
      '/stats/overview/',
      {
        schema: {
          tags: ['Overview'],
          summary: 'Members by tier, activity of the last 14 days, and endpoint health over 24 h',
          response: {
            200: Type.Object({
              members_by_tier: Type.Record(Type.String(), Type.Integer()),
              members_total: Type.Integer(),
              days: Type.Array(
                Type.Object({
                  date: Type.String(),
                  registrations: Type.Integer(),
                  tier_upgrades: Type.Integer(),
                }),
              ),
              endpoints: Type.Array(
                Type.Object({
                  id: Type.String(),
                  url: Type.String(),
                  enabled: Type.Boolean(),
                  disabled_reason: Type.Union([Type.String(), Type.Null()]),
                  failing_since: Type.Union([Type.String(), Type.Null()]),
                  attempts_24h: Type.Integer(),
                  success_rate_24h: Nullable(Type.Number({ description: 'Percent of 2xx attempts' })),
                  latency_p50_ms: Nullable(Type.Number()),
                  latency_p95_ms: Nullable(Type.Number()),
                  failed_deliveries_24h: Type.Integer(),
                  pending_deliveries: Type.Integer(),
                  held_deliveries: Type.Integer({
                    description: 'Deliveries held while the endpoint is disabled; sent once it is enabled',
                  }),
                  next_probe_at: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
                  needs_attention: Type.Boolean(),
                }),
              ),
            }),
          },
        },
      },
      (request) => overviewStats(ctx.db, identity(request).companyId, ctx.clock()),
    );
    return Promise.resolve();
  };
