/**
 * Every error Zupy reports on purpose, with a stable code. The HTTP layer maps them to RFC 9457
 * problems in one place (http/error-handler.ts); the CLI prints their message.
 */

/**
 * Every field error's stable code, with what it means and the `params` it carries. Clients translate
 * by the code (the admin panel does, in pt-BR and English: a test fails when one here is missing
 * there); `detail` stays the English sentence it always was. Add a code here, never reuse one for
 * another meaning.
 */
export const FIELD_ERROR_CODES = {
  required: 'is required (params.with: the field that requires it, when it is one)',
  unknown_field: 'is not a field the request may carry',
  one_of:
    'must be one of params.values (a comma-separated list; params.nullable: "true" when null is allowed)',
  wrong_type: 'has the wrong JSON type (params.type: the expected one)',
  too_small: 'is below params.limit',
  too_large: 'is above params.limit',
  too_short: 'has fewer than params.limit characters',
  too_long: 'has more than params.limit characters',
  too_few_items: 'has fewer than params.limit items',
  too_many_items: 'has more than params.limit items',
  duplicate_items: 'lists an item twice',
  not_multiple_of: 'is not a multiple of params.limit (money: at most two decimals)',
  pattern_mismatch: 'does not have the expected form (params.pattern)',
  format_invalid: 'is not a valid params.format',
  invalid: 'is invalid (the detail says why)',
  unstorable_text: 'is not valid Unicode text, or contains a NUL character',
  too_deep: 'nests arrays and objects deeper than params.limit levels',
  length_out_of_range: 'must be params.min to params.max characters',
  company_id_format: 'is not a company id like comp_bella_vista',
  invalid_cursor: 'is not a cursor returned by this API',
  phone_characters: 'may contain only digits, spaces, +, -, . and parentheses',
  phone_invalid: 'is not a valid phone number (a Brazilian number with area code, or +country code)',
  email_invalid: 'is not a valid e-mail address',
  cpf_characters: 'may contain only digits, dots and a dash',
  cpf_length: 'does not have 11 digits (params.got: how many it has)',
  cpf_repeated: 'is not a valid CPF: all its digits are equal',
  cpf_check_digits: 'has check digits that do not match: a typo',
  taken: 'belongs to another member of this company',
  time_zone_invalid: 'is not an IANA time zone name like America/Sao_Paulo',
  datetime_invalid: 'is not an ISO 8601 date and time',
  in_future: 'is in the future',
  time_invalid: 'is not a time like 17:00',
  date_invalid: 'is not a date like 2025-11-28',
  not_after_start: 'must be later than params.start',
  before_start: 'must not be before params.start',
  order_credited_elsewhere: 'this order was already credited to another member',
  not_a_tier: 'is not a tier of this program (params.tiers)',
  duplicate_tier: 'names tier params.tier a second time',
  threshold_not_increasing: 'is not above the threshold of params.tier (params.threshold)',
  tiers_empty: 'lists no tier while tiers are enabled',
  bonus_field_missing: 'is required for a bonus of type params.type',
  bonus_field_unknown: 'is not a field of a bonus of type params.type',
  bonus_category_taken: 'category params.category already has a bonus (params.at)',
  welcome_points_invalid: 'must be an integer of at least 1 for a points welcome reward',
  welcome_reward_not_coupon: 'is only for a coupon welcome reward',
  unknown_reward: 'is not a reward of this company',
  percentage_out_of_range: 'must be a percentage above 0 and at most 100',
  amount_not_positive: 'must be an amount in BRL above 0',
  not_applicable: 'applies to percentage, product_free and buy_one_get_one only',
  must_be_zero: 'must be 0 for a params.type reward: the items give the discount',
  exceeds_balance: 'exceeds the points balance (params.balance)',
  below_minimum_purchase: 'is below the minimum purchase (params.minimum, in BRL)',
  items_required: 'are required for a product_free coupon',
  items_need_pair: 'need an item with a quantity of at least 2 for a buy_one_get_one coupon',
  idempotency_key_invalid: 'is not 1 to 255 printable ASCII characters without spaces',
  idempotency_key_reused: 'was already used with a different request',
  only_with_enabled: 'may only be given with "enabled": true',
  url_invalid: 'is not a valid absolute URL',
  url_scheme: 'must use https:// (or http://)',
  url_credentials: 'must not carry a user name or password',
  url_fragment: 'must not have a #fragment',
  url_forbidden_address: 'is or resolves to a non-public address (params.host)',
  url_unresolvable: 'has a host that could not be resolved (params.host)',
  option_invalid: 'a command-line option or argument is invalid (the CLI prints the detail)',
} as const;

export type FieldErrorCode = keyof typeof FIELD_ERROR_CODES;

/** Values a field error's message is built from: `{ limit: 100 }`, `{ values: '"a", "b"' }`. */
export type FieldErrorParams = Readonly<Record<string, string | number>>;

export interface FieldError {
  field: string;
  /** Stable, for clients to translate by: one of {@link FIELD_ERROR_CODES}. */
  code: FieldErrorCode;
  /** The English sentence, as before codes existed. */
  detail: string;
  params?: FieldErrorParams;
}

/** A value's rejection before it is tied to a field: what validators such as normalizePhone return. */
export interface Rejection {
  code: FieldErrorCode;
  reason: string;
  params?: FieldErrorParams;
}

/** The field error for `field` of a validator's rejection. */
export function rejectedField(field: string, rejection: Rejection): FieldError {
  return {
    field,
    code: rejection.code,
    detail: rejection.reason,
    ...(rejection.params ? { params: rejection.params } : {}),
  };
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

/** One field at fault: a 422 naming it, with the code clients translate it by. */
export function invalidField(
  field: string,
  code: FieldErrorCode,
  detail: string,
  params?: FieldErrorParams,
): ZupyError {
  return new ZupyError('ZUPY_VALIDATION_FAILED', `${field}: ${detail}`, {
    fieldErrors: [{ field, code, detail, ...(params ? { params } : {}) }],
  });
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
