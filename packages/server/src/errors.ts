/**
 * Every error Zupy reports on purpose, with a stable code. The HTTP layer maps them to RFC 9457
 * problems in one place (http/error-handler.ts); the CLI prints their message.
 */

export interface FieldError {
  field: string;
  detail: string;
}

export const ERROR_CODES = {
  ZUPY_VALIDATION_FAILED: {
    status: 422,
    slug: 'validation-failed',
    title: 'Your request has invalid fields',
  },
  ZUPY_INSUFFICIENT_BALANCE: {
    status: 422,
    slug: 'insufficient-balance',
    title: 'Insufficient points balance',
  },
  ZUPY_IDEMPOTENCY_KEY_REUSED: {
    status: 422,
    slug: 'idempotency-key-reused',
    title: 'Idempotency-Key already used with another request',
  },
  ZUPY_MALFORMED_REQUEST: { status: 400, slug: 'malformed-request', title: 'Malformed request' },
  ZUPY_UNAUTHENTICATED: { status: 401, slug: 'unauthenticated', title: 'Missing or invalid API key' },
  ZUPY_READ_ONLY_KEY: { status: 403, slug: 'read-only-key', title: 'This API key is read-only' },
  ZUPY_NOT_FOUND: { status: 404, slug: 'not-found', title: 'Not found' },
  ZUPY_METHOD_NOT_ALLOWED: { status: 405, slug: 'method-not-allowed', title: 'Method not allowed' },
  ZUPY_CONFLICT: { status: 409, slug: 'conflict', title: 'Conflict' },
  ZUPY_PAYLOAD_TOO_LARGE: { status: 413, slug: 'payload-too-large', title: 'Request body over 1 MB' },
  ZUPY_UNSUPPORTED_MEDIA_TYPE: {
    status: 415,
    slug: 'unsupported-media-type',
    title: 'Send JSON with Content-Type: application/json',
  },
  ZUPY_RATE_LIMITED: { status: 429, slug: 'rate-limited', title: 'Too many requests' },
  ZUPY_LIMIT_REACHED: { status: 409, slug: 'limit-reached', title: 'Limit reached' },
  ZUPY_UNAVAILABLE: { status: 503, slug: 'unavailable', title: 'Service unavailable' },
  ZUPY_STORAGE_FULL: {
    status: 507,
    slug: 'storage-full',
    title: 'Insufficient storage',
  },
  ZUPY_INTERNAL: { status: 500, slug: 'internal', title: 'Internal server error' },
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

/** An error with a stable code; `errors` names each field at fault on a validation failure. */
export class ZupyError extends Error {
  readonly code: ErrorCode;
  readonly fieldErrors: readonly FieldError[];
  readonly headers: Readonly<Record<string, string>>;

  constructor(
    code: ErrorCode,
    detail: string,
    options: { fieldErrors?: readonly FieldError[]; headers?: Record<string, string> } = {},
  ) {
    super(detail);
    this.name = 'ZupyError';
    this.code = code;
    this.fieldErrors = options.fieldErrors ?? [];
    this.headers = options.headers ?? {};
  }

  get status(): number {
    return ERROR_CODES[this.code].status;
  }
}

/** One field at fault: a 422 naming it. */
export function invalidField(field: string, detail: string): ZupyError {
  return new ZupyError('ZUPY_VALIDATION_FAILED', `${field}: ${detail}`, { fieldErrors: [{ field, detail }] });
}

export function notFound(what: string): ZupyError {
  return new ZupyError('ZUPY_NOT_FOUND', `${what} not found`);
}

/** A bad environment variable: the process refuses to start and says which one. */
export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    detail: string,
  ) {
    super(`${variable}: ${detail}`);
    this.name = 'ConfigError';
  }
}
