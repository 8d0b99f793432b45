import { LogController, type FastifyReply, type FastifyRequest } from 'fastify';

/** The route's pattern (`/api/v2/customers/:member_id/`), never the URL: no ids, search terms or e-mails. */
export function routePattern(request: FastifyRequest): string {
  return request.routeOptions.url ?? '(no route)';
}

/** Probed every few seconds by orchestrators: logged only when they fail. */
const QUIET_ROUTES = new Set(['/healthz', '/readyz', '/metrics']);

/**
 * One access-log line per request, when it completes (Fastify's default, two JSON lines per request,
 * scrolled the key `zupy serve` prints off the screen). The line names the route's pattern, not the
 * URL, so a search term or a member's e-mail in a query string never reaches the log. Fastify's
 * other request logs (errors, 404s) keep their default behaviour.
 */
export class AccessLog extends LogController {
  override incomingRequest(): void {}

  override requestCompleted(
    error: Error | null | undefined,
    request: FastifyRequest,
    reply: FastifyReply,
  ): void {
    const route = routePattern(request);
    if (!error && QUIET_ROUTES.has(route) && reply.statusCode < 400) return;
    const line = {
      method: request.method,
      route,
      status: reply.statusCode,
      ms: Math.round(reply.elapsedTime),
    };
    const message = `${request.method} ${route} ${reply.statusCode}`;
    if (error) reply.log.error({ ...line, err: error }, message);
    else reply.log.info(line, message);
  }
}
