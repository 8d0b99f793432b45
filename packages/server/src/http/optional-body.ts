import type { FastifyInstance } from 'fastify';

interface BodySchema {
  type?: unknown;
  required?: readonly string[];
}

/** A body schema whose every field is optional: the request may as well send no body at all. */
export function bodyIsOptional(schema: unknown): boolean {
  const body = schema as BodySchema | undefined;
  return body !== undefined && body.type === 'object' && (body.required ?? []).length === 0;
}

/**
 * POSTs whose fields are all optional (a test send, a secret rotation, a replay) accept a request
 * with no body, as `{}`: `curl -X POST …/test/` works, as Zupy's docs show it, instead of a 422
 * "body must be object". The OpenAPI document marks those bodies `required: false`
 * (openapi-operations.ts).
 */
export function installOptionalBodies(api: FastifyInstance): void {
  api.addHook('preValidation', (request, _reply, done) => {
    if (request.body === undefined && bodyIsOptional(request.routeOptions.schema?.body)) request.body = {};
    done();
  });
}
