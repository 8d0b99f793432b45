import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import { VERSION } from '../version.js';
import { completeOpenApi, type OpenApiDocument } from './openapi-operations.js';
import { referencePageTheme } from './reference-page-theme.js';
import { webhookDocs } from './openapi-webhooks.js';
import { ProblemSchema } from './schemas.js';

/**
 * The OpenAPI document is generated from the very schemas that validate requests, so the two cannot
 * drift. Served at /api/v2/openapi.json, with a reference page at /docs.
 */
export async function installOpenApi(app: FastifyInstance): Promise<void> {
  app.addSchema(ProblemSchema);
  await app.register(swagger, {
    // Shared schemas keep their names (Problem, Customer, LoyaltyProgram) instead of def-0, def-1 …
    refResolver: {
      buildLocalReference: (json, _baseUri, _fragment, i) =>
        typeof json.$id === 'string' ? json.$id : `def-${i}`,
    },
    // Completed in place: operationIds, Problem answers, optional parameters (openapi-operations.ts).
    transformObject: (documentObject) => {
      const document =
        'openapiObject' in documentObject ? documentObject.openapiObject : documentObject.swaggerObject;
      completeOpenApi(document as OpenApiDocument);
      return document;
    },
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Zupy API',
        version: VERSION,
        license: { name: 'MIT', identifier: 'MIT' },
        description:
          'Loyalty program API: customers, points, tiers, and signed webhooks. Errors are RFC 9457 problem documents (`application/problem+json`); a 422 lists each bad field in `errors`. Any operation may answer 503 (the database is unavailable) and any write 507 (the server’s disk is full), both with `Retry-After`: send the request again after it.',
      },
      servers: [{ url: '/', description: 'This Zupy server' }],
      components: {
        securitySchemes: { ApiKey: { type: 'apiKey', in: 'header', name: 'X-API-Key' } },
      },
      security: [{ ApiKey: [] }],
      // What Zupy sends to your endpoints, customer and operational events (OpenAPI 3.1 webhooks).
      webhooks: webhookDocs(),
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs', staticCSP: true, ...referencePageTheme() });
}
