import { ERROR_CODES, type ErrorCode } from '../errors.js';
import { bodyIsOptional } from './optional-body.js';

/**
 * What every operation of the generated OpenAPI document gets beyond its route schema, so that a
 * client generator (openapi-typescript, openapi-generator) sees the whole API: an operationId, the
 * error answers it may give as named `Problem` documents, and optional query parameters marked as
 * such. Done once over the finished document, so a new route cannot forget it.
 */

const METHODS = ['get', 'put', 'post', 'patch', 'delete'] as const;

/** The parts of an OpenAPI 3.1 document this file reads and completes. */
interface Parameter {
  in: string;
  required?: boolean;
  schema?: { default?: unknown };
}
interface Operation {
  operationId?: string;
  parameters?: Parameter[];
  requestBody?: unknown;
  responses?: Record<string, unknown>;
}
export interface OpenApiDocument {
  paths?: Record<string, Partial<Record<(typeof METHODS)[number], Operation>>>;
  webhooks?: Record<string, { post?: Operation }>;
  components?: { schemas?: Record<string, unknown> };
}

/**
 * `GET /api/v2/customers/{member_id}/points/history/` → `getCustomersMemberIdPointsHistory`: the
 * method and the path's segments (parameters by name), camel-cased — Stripe's scheme
 * (`GetCustomersCustomer`), unique because paths and methods are. A route may set its own
 * `operationId` instead.
 */
export function operationIdFor(method: string, path: string): string {
  const words = path
    .replace(/^\/api\/v\d+\//, '/')
    .split(/[/{}_-]+/)
    .filter(Boolean);
  return method.toLowerCase() + words.map((w) => w[0]!.toUpperCase() + w.slice(1)).join('');
}

const problemRef = { $ref: '#/components/schemas/Problem' };
const retryAfter = {
  'Retry-After': {
    description: 'Seconds to wait before sending the request again',
    schema: { type: 'integer' },
  },
};

/** The error answers an operation may give, by what it has: a body, path parameters, a write. */
function errorCodesOf(method: string, path: string, operation: Operation): ErrorCode[] {
  const write = method !== 'get';
  const hasInput = operation.requestBody !== undefined || (operation.parameters ?? []).length > 0;
  const codes: ErrorCode[] = [];
  if (operation.requestBody !== undefined) codes.push('ZUPY_MALFORMED_REQUEST');
  codes.push('ZUPY_UNAUTHENTICATED');
  if (write) codes.push('ZUPY_READ_ONLY_KEY');
  if (path.includes('{')) codes.push('ZUPY_NOT_FOUND');
  if (write) codes.push('ZUPY_CONFLICT');
  if (operation.requestBody !== undefined)
    codes.push('ZUPY_PAYLOAD_TOO_LARGE', 'ZUPY_UNSUPPORTED_MEDIA_TYPE');
  if (hasInput) codes.push('ZUPY_VALIDATION_FAILED');
  codes.push('ZUPY_RATE_LIMITED', 'ZUPY_INTERNAL', 'ZUPY_UNAVAILABLE');
  if (write) codes.push('ZUPY_STORAGE_FULL');
  return codes;
}

/** One response per status: codes sharing a status (409 conflict / limit reached) are one answer. */
function problemResponse(codes: ErrorCode[]): object {
  const status = ERROR_CODES[codes[0]!].status;
  const description = codes.map((code) => ERROR_CODES[code].title).join('; ');
  const schema = status === 422 ? { $ref: '#/components/schemas/ValidationProblem' } : problemRef;
  return {
    description,
    ...([429, 503, 507].includes(status) ? { headers: retryAfter } : {}),
    content: { 'application/problem+json': { schema } },
  };
}

function completeOperation(method: string, path: string, operation: Operation): void {
  operation.operationId ??= operationIdFor(method, path);
  for (const parameter of operation.parameters ?? []) {
    // A query parameter with a default is optional, whatever the validation schema says.
    if (parameter.in === 'query' && parameter.schema?.default !== undefined) parameter.required = false;
  }
  const byStatus = new Map<number, ErrorCode[]>();
  for (const code of errorCodesOf(method, path, operation)) {
    const status = ERROR_CODES[code].status;
    byStatus.set(status, [...(byStatus.get(status) ?? []), code]);
  }
  if (method !== 'get') {
    // Another code sharing 409: "limit reached" (the 10th endpoint) is a write's conflict too.
    byStatus.get(409)?.push('ZUPY_LIMIT_REACHED');
  }
  const body = operation.requestBody as
    { required?: boolean; content?: Record<string, { schema?: unknown }> } | undefined;
  // A body of optional fields may be left out (optional-body.ts).
  if (body && bodyIsOptional(body.content?.['application/json']?.schema)) body.required = false;
  const responses = (operation.responses ??= {});
  const created = responses['201'] as { headers?: Record<string, unknown> } | undefined;
  if (created && !created.headers?.Location) {
    created.headers = {
      ...created.headers,
      Location: { description: 'The URL of what was created', schema: { type: 'string' } },
    };
  }
  for (const [status, codes] of byStatus) responses[String(status)] ??= problemResponse(codes);
}

/** Completes the document in place (see the file comment) and returns it. */
export function completeOpenApi<D extends OpenApiDocument>(document: D): D {
  for (const [path, item] of Object.entries(document.paths ?? {})) {
    for (const method of METHODS) {
      const operation = item[method];
      if (operation) completeOperation(method, path, operation);
    }
  }
  for (const [type, item] of Object.entries(document.webhooks ?? {})) {
    if (item.post) item.post.operationId ??= `event${operationIdFor('', type.replace('.', '/'))}`;
  }
  document.components ??= {};
  document.components.schemas ??= {};
  document.components.schemas.ValidationProblem = {
    description:
      'A 422 problem: `errors` names each field at fault, with a stable `code` for what is wrong with it ' +
      '(and `params`, the values its message is built from) and the same in English (`detail`)',
    allOf: [problemRef, { type: 'object', required: ['errors'] }],
  };
  return document;
}
