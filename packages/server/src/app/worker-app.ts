import Fastify, { type FastifyInstance } from 'fastify';
import { installErrorHandler } from '../http/error-handler.js';
import { healthRoutes } from '../http/health-routes.js';
import { metricsRoutes } from './metrics-routes.js';
import type { Runtime } from './runtime.js';
import { fastifyServerOptions, limitServer, type ServerOptions } from './server-options.js';

/** The HTTP side of `zupy worker`: /healthz, /readyz and /metrics only, no API. */
export async function buildWorkerApp(
  runtime: Pick<Runtime, 'ctx' | 'metrics'>,
  logLevel: string,
  serverOptions: ServerOptions = {},
): Promise<FastifyInstance> {
  const app = Fastify({ ...fastifyServerOptions(serverOptions), logger: { level: logLevel } });
  limitServer(app, serverOptions);
  installErrorHandler(app, runtime.ctx.storage);
  await app.register(healthRoutes(runtime.ctx.db, runtime.ctx.storage));
  runtime.metrics.timeRequests(app);
  await app.register(metricsRoutes(runtime.metrics));
  return app;
}
