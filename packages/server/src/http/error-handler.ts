import type { FastifyError, FastifyInstance, FastifyRequest } from 'fastify';
import type { ErrorObject } from 'ajv';
import { ZupyError, type ErrorCode, type FieldError, type FieldErrorCode } from '../errors.js';
import { buildProblem, sendProblem } from './problem.js';
import { classifyDatabaseFailure } from '../db/database-failure.js';
import type { StorageHealth } from '../db/storage-health.js';
import { storageRefusal } from './storage-gate.js';

/** `/tiers/0/threshold` → `tiers[0].threshold`. */
function fieldPath(instancePath: string, child?: string): string {
  const parts = instancePath.split('/').filter(Boolean);
  if (child !== undefined) parts.push(child);
  return parts
    .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce((acc, p) => (/^\d+$/.test(p) ? `${acc}[${p}]` : acc === '' ? p : `${acc}.${p}`), '');
}

/** Ajv's keywords as field error codes, and the one parameter each message is built from. */
const KEYWORD_CODES: Readonly<Record<string, [FieldErrorCode, string?]>> = {
  type: ['wrong_type', 'type'],
  minimum: ['too_small', 'limit'],
  exclusiveMinimum: ['too_small', 'limit'],
  maximum: ['too_large', 'limit'],
  exclusiveMaximum: ['too_large', 'limit'],
  minLength: ['too_short', 'limit'],
  maxLength: ['too_long', 'limit'],
  minItems: ['too_few_items', 'limit'],
  maxItems: ['too_many_items', 'limit'],
  uniqueItems: ['duplicate_items'],
  multipleOf: ['not_multiple_of', 'multipleOf'],
  pattern: ['pattern_mismatch', 'pattern'],
  format: ['format_invalid', 'format'],
};

function describe(error: ErrorObject): FieldError {
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'required':
      return {
        field: fieldPath(error.instancePath, String(params.missingProperty)),
        code: 'required',
        detail: 'is required',
      };
    case 'additionalProperties':
      return {
        field: fieldPath(error.instancePath, String(params.additionalProperty)),
        code: 'unknown_field',
        detail: 'is not a known field',
      };
    case 'enum': {
      const values = (params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ');
      return {
        field: fieldPath(error.instancePath),
        code: 'one_of',
        detail: `must be one of ${values}`,
        params: { values },
      };
    }
    default: {
      const [code, param] = KEYWORD_CODES[error.keyword] ?? ['invalid'];
      const value = param === undefined ? undefined : params[param];
      const described: FieldError = {
        field: fieldPath(error.instancePath),
        code,
        detail: error.message ?? 'is invalid',
      };
      if (typeof value === 'string' || typeof value === 'number') {
        described.params = {
          [param === 'multipleOf' ? 'limit' : param!]: value,
          ...(typeof params.comparison === 'string' ? { comparison: params.comparison } : {}),
        };
      }
      return described;
    }
  }
}

/**
 * One message per field: `anyOf`/`oneOf` noise is folded into the clearer errors it wraps. A union
 * of literals (TypeBox's enums) fails one `const` per value: those become one "must be one of …"
 * listing them. A nullable field's "must be null" is dropped when its other branch said what is
 * wrong (`webhook_url: ""` gets one message, not two that contradict each other).
 */
export function validationFieldErrors(
  errors: readonly ErrorObject[],
  context: string | undefined,
): FieldError[] {
  const allowed = new Map<string, unknown[]>();
  const explained = new Set<string>();
  const isNullTypeError = (e: ErrorObject) =>
    e.keyword === 'type' && (e.params as { type?: unknown }).type === 'null';
  for (const error of errors) {
    if (error.keyword === 'const') {
      const values = allowed.get(error.instancePath) ?? [];
      values.push((error.params as { allowedValue: unknown }).allowedValue);
      allowed.set(error.instancePath, values);
    }
    if (!isNullTypeError(error) && !['anyOf', 'oneOf', 'if'].includes(error.keyword))
      explained.add(error.instancePath);
  }
  const nullable = new Set(errors.filter(isNullTypeError).map((e) => e.instancePath));
  const seen = new Set<string>();
  const out: FieldError[] = [];
  for (const error of errors) {
    if (error.keyword === 'anyOf' || error.keyword === 'oneOf' || error.keyword === 'if') continue;
    if (isNullTypeError(error) && explained.has(error.instancePath)) continue;
    let described = describe(error);
    if (error.keyword === 'const') {
      const values = (allowed.get(error.instancePath) ?? []).map((v) => JSON.stringify(v)).join(', ');
      const orNull = nullable.has(error.instancePath) ? ', or null' : '';
      described = {
        field: described.field,
        code: 'one_of',
        detail: `must be one of ${values}${orNull}`,
        params: orNull ? { values, nullable: 'true' } : { values },
      };
    }
    const field = described.field || (context === 'body' ? 'body' : (context ?? 'request'));
    const key = `${field}:${described.detail}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ ...described, field });
  }
  return out;
}

const FASTIFY_CODES: Readonly<Record<string, ErrorCode>> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'ZUPY_PAYLOAD_TOO_LARGE',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'ZUPY_UNSUPPORTED_MEDIA_TYPE',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'ZUPY_MALFORMED_REQUEST',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'ZUPY_MALFORMED_REQUEST',
  FST_ERR_CTP_INVALID_JSON_BODY: 'ZUPY_MALFORMED_REQUEST',
};

/**
 * The one place where errors become HTTP answers. Unknown errors are logged and told apart by nothing.
 * A write the storage refused (disk full, I/O error) is told to `storage`, which logs it once per
 * interval and refuses further writes until they succeed again.
 */
export function installErrorHandler(app: FastifyInstance, storage: StorageHealth): void {
  app.setErrorHandler((error: FastifyError | ZupyError, request: FastifyRequest, reply) => {
    const instance = request.url.split('?')[0] ?? request.url;
    if (error instanceof ZupyError) {
      reply.headers(error.headers);
      return sendProblem(reply, buildProblem(error.code, error.message, instance, error.fieldErrors));
    }
    if (error.validation) {
      const errors = validationFieldErrors(error.validation as ErrorObject[], error.validationContext);
      const detail = errors.map((e) => `${e.field} ${e.detail}`).join('; ');
      return sendProblem(reply, buildProblem('ZUPY_VALIDATION_FAILED', detail, instance, errors));
    }
    const mapped = error.code ? FASTIFY_CODES[error.code] : undefined;
    if (mapped) return sendProblem(reply, buildProblem(mapped, error.message, instance));
    if (error instanceof SyntaxError || (error.statusCode === 400 && error.code?.startsWith('FST_ERR_CTP'))) {
      return sendProblem(
        reply,
        buildProblem('ZUPY_MALFORMED_REQUEST', `body is not valid JSON: ${error.message}`, instance),
      );
    }
    if (error.statusCode === 429) {
      return sendProblem(
        reply,
        buildProblem('ZUPY_RATE_LIMITED', 'rate limit exceeded; see Retry-After', instance),
      );
    }
    if (error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 500) {
      return sendProblem(reply, buildProblem('ZUPY_MALFORMED_REQUEST', error.message, instance));
    }
    const failure = classifyDatabaseFailure(error);
    if (failure === 'storage-full' || failure === 'storage-error') {
      storage.recordFailure(failure, error, request.log);
      const refusal = storageRefusal(failure);
      reply.headers(refusal.headers);
      return sendProblem(reply, buildProblem(refusal.code, refusal.message, instance));
    }
    if (failure === 'unavailable') {
      const { code, message } = error as { code?: string; message: string };
      request.log.warn({ code, message }, 'database unavailable');
      reply.header('retry-after', '1');
      return sendProblem(
        reply,
        buildProblem('ZUPY_UNAVAILABLE', 'the database is unavailable; retry the request shortly', instance),
      );
    }
    request.log.error({ err: error }, 'unhandled error');
    return sendProblem(
      reply,
      buildProblem('ZUPY_INTERNAL', 'an unexpected error occurred; it has been logged', instance),
    );
  });

  app.setNotFoundHandler((request, reply) => {
    const instance = request.url.split('?')[0] ?? request.url;
    return sendProblem(
      reply,
      buildProblem('ZUPY_NOT_FOUND', `no route for ${request.method} ${instance}`, instance),
    );
  });
}
