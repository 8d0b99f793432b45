import rateLimit from '@fastify/rate-limit';
import { installEpochRateLimitReset } from '../http/rate-limit-reset.js';
import { installOptionalBodies } from '../http/optional-body.js';
import Fastify, { type FastifyInstance } from 'fastify';
import { findApiKey } from '../companies/api-keys.js';
import { companyRoutes } from '../companies/company-routes.js';
import { customerRoutes } from '../customers/customer-routes.js';
import { overviewRoutes } from '../overview/overview-routes.js';
import { deliveryRoutes } from '../delivery/delivery-routes.js';
import { eventRoutes } from '../events/event-routes.js';
import { pointsRoutes } from '../points/points-routes.js';
import { programRoutes } from '../program/program-routes.js';
import { rewardRoutes } from '../rewards/reward-routes.js';
import { couponRoutes } from '../coupons/coupon-routes.js';
import type { DeliveryContext } from '../delivery/delivery-context.js';
import { endpointRoutes } from '../webhooks/endpoint-routes.js';
import { integrationRoutes } from '../webhooks/integration-routes.js';
import { installApiKeyAuth } from '../http/auth.js';
import { installErrorHandler } from '../http/error-handler.js';
import { installSecurityHeaders } from '../http/security-headers.js';
import { installStorageGate } from '../http/storage-gate.js';
import { installAdminPanel } from '../http/admin-static.js';
import { healthRoutes } from '../http/health-routes.js';
import { metricsRoutes } from './metrics-routes.js';
import type { Runtime } from './runtime.js';
import { fastifyServerOptions, limitServer, type ServerOptions } from './server-options.js';
import { installOpenApi } from '../http/openapi.js';
import { auditRoutes } from '../audit/audit-routes.js';
import { installAuditLog } from '../audit/audit-hook.js';
import { orderRoutes } from '../orders/order-routes.js';
import { partnerRoutes } from '../orders/partner-routes.js';
import { buildProblem } from '../http/problem.js';
import { createValidatorCompiler } from '../http/validator-compiler.js';
import { rejectUnsafeText } from '../http/unsafe-text.js';

/** Request bodies over 1 MB are refused with 413 (CONTRACT §1 caps bodies at 1 MB). */
export const BODY_LIMIT_BYTES = 1024 * 1024;
export const API_PREFIX = '/api/v2';

export interface AppOptions extends ServerOptions {
  logLevel: string;
  rateLimitPerMinute: number;
  /** Serve the admin panel's `*.map` files (ZUPY_ADMIN_SOURCE_MAPS); otherwise they answer 404. */
  adminSourceMaps?: boolean;
  /** ZUPY_AUDIT_RETENTION (ms): audit log entries older than this are removed. Default 365 days. */
  auditRetentionMs?: number;
  /** For /metrics: the runtime whose registry (its queue, its worker) to report. */
  runtime: Pick<Runtime, 'metrics'>;
}

/** Builds the HTTP application without listening, so tests can inject requests or listen on port 0. */
export async function buildApp(ctx: DeliveryContext, options: AppOptions): Promise<FastifyInstance> {
  const app = Fastify({
    ...fastifyServerOptions(options),
    logger: { level: options.logLevel, redact: ['req.headers["x-api-key"]'] },
    bodyLimit: BODY_LIMIT_BYTES,
    routerOptions: { ignoreTrailingSlash: true, ignoreDuplicateSlashes: true },
    onProtoPoisoning: 'error',
    onConstructorPoisoning: 'error',
  });
  limitServer(app, options);
  app.setValidatorCompiler(createValidatorCompiler());
  installErrorHandler(app, ctx.storage);
  installSecurityHeaders(app, { adminSourceMaps: options.adminSourceMaps === true });
  await installOpenApi(app);
  await app.register(healthRoutes(ctx.db, ctx.storage));
  await installAdminPanel(app);
  options.runtime.metrics.timeRequests(app);
  await app.register(metricsRoutes(options.runtime.metrics));

  await app.register(
    async (api) => {
      api.get('/openapi.json', { schema: { hide: true } }, () => app.swagger());
      installApiKeyAuth(api, (key) => findApiKey(ctx.db, key), new Set([`${API_PREFIX}/openapi.json`]));
      rejectUnsafeText(api);
      // Before the group commit's hook: the audit entry is on disk when the change is acknowledged.
      installAuditLog(api, ctx.db, {
        prefix: API_PREFIX,
        retentionMs: options.auditRetentionMs ?? 365 * 86_400_000,
        now: ctx.clock,
        storage: ctx.storage,
      });
      // Group commit: a change is acknowledged only once it is on disk, with one fsync shared by
      // every request that committed meanwhile (db/wal-sync.ts).
      api.addHook('onSend', async (request, reply, payload) => {
        if (request.method !== 'GET' && request.method !== 'HEAD' && reply.statusCode < 400)
          await ctx.syncToDisk();
        return payload;
      });
      await api.register(rateLimit, {
        max: options.rateLimitPerMinute,
        timeWindow: 60_000,
        hook: 'preHandler',
        keyGenerator: (request) => request.auth?.keyId ?? request.ip,
        errorResponseBuilder: (request, context) => ({
          ...buildProblem(
            'ZUPY_RATE_LIMITED',
            `limit of ${context.max} requests per minute reached; retry in ${context.after}`,
            request.url,
          ),
          statusCode: context.statusCode,
        }),
      });
      installEpochRateLimitReset(api, ctx.clock);
      installOptionalBodies(api);
      // While the disk is full, writes are refused before they reach the database (507).
      installStorageGate(api, ctx.storage);
      await api.register(companyRoutes(ctx));
      await api.register(overviewRoutes(ctx));
      await api.register(customerRoutes(ctx));
      await api.register(pointsRoutes(ctx));
      await api.register(programRoutes(ctx));
      await api.register(eventRoutes(ctx));
      await api.register(endpointRoutes(ctx));
      await api.register(integrationRoutes(ctx));
      await api.register(deliveryRoutes(ctx));
      await api.register(auditRoutes(ctx));
      await api.register(rewardRoutes(ctx));
      await api.register(couponRoutes(ctx));
      await api.register(orderRoutes(ctx));
      await api.register(partnerRoutes(ctx));
    },
    { prefix: API_PREFIX },
  );
  return app;
}
