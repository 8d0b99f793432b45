import { CUSTOMER_FIELDS, EVENT_TYPES, type CustomerField } from '@zupy/webhooks';
import { Type, type TSchema } from 'typebox';
import { ERROR_CODES, FIELD_ERROR_CODES, type ErrorCode, type FieldErrorCode } from '../errors.js';

/** Schemas shared by several routes. Each route's own schemas live beside its handlers. */

/**
 * The event types of the contract, customer and operational, as routes accept them in bodies and
 * filters: the SDK's `EVENT_TYPES`, so the OpenAPI enum cannot drift from what is sent.
 */
export const EventTypeSchema = Type.Union(
  EVENT_TYPES.map((type) => Type.Literal(type)),
  {
    description:
      'customer.registered, tier.upgraded, coupon.redeemed, coupon.used, customer.updated, customer.deleted, points.earned (customer events), endpoint.disabled, endpoint.enabled, delivery.failed (operational events)',
  },
);

export const MAX_PAGE_SIZE = 100;
export const DEFAULT_PAGE_SIZE = 25;

export const PageQuery = {
  cursor: Type.Optional(
    Type.String({ maxLength: 200, description: 'The `meta.cursor` of the previous page' }),
  ),
  page_size: Type.Integer({ minimum: 1, maximum: MAX_PAGE_SIZE, default: DEFAULT_PAGE_SIZE }),
};

export function PageOf<T extends TSchema>(item: T) {
  return Type.Object({
    data: Type.Array(item),
    meta: Type.Object({
      cursor: Type.Union([Type.String(), Type.Null()], { description: 'Pass as `cursor` for the next page' }),
      has_next: Type.Boolean(),
      count: Type.Integer(),
    }),
  });
}

/** A page whose `meta.total` (every match, all pages) is there only when the list was asked for it. */
export function PageWithTotalOf<T extends TSchema>(item: T, what: string) {
  const page = PageOf(item);
  return Type.Object({
    data: page.properties.data,
    meta: Type.Object({
      ...page.properties.meta.properties,
      total: Type.Optional(
        Type.Integer({
          description: `Every ${what} matching the filters, on all pages (with \`include_total=true\` only): not affected by \`cursor\``,
        }),
      ),
    }),
  });
}

export const MemberIdParams = Type.Object({
  member_id: Type.String({ pattern: '^ZP-[0-9A-Fa-f]{8}$', description: 'Member id, e.g. ZP-8B23CD41' }),
});

export const TierNameSchema = Type.Union(
  [
    Type.Literal('default'),
    Type.Literal('bronze'),
    Type.Literal('silver'),
    Type.Literal('gold'),
    Type.Literal('platinum'),
    Type.Literal('vip'),
  ],
  { description: 'A tier name' },
);

export const ProblemSchema = Type.Object(
  {
    type: Type.String(),
    title: Type.String(),
    status: Type.Integer(),
    detail: Type.String(),
    instance: Type.String(),
    code: Type.Union(
      (Object.keys(ERROR_CODES) as ErrorCode[]).map((c) => Type.Literal(c)),
      {
        description:
          'Stable code of the problem, one per `type` (e.g. ZUPY_VALIDATION_FAILED): translate by it',
      },
    ),
    errors: Type.Optional(
      Type.Array(
        Type.Object({
          field: Type.String({ description: 'The field at fault, e.g. `phone` or `tiers[1].threshold`' }),
          code: Type.Union(
            (Object.keys(FIELD_ERROR_CODES) as FieldErrorCode[]).map((c) => Type.Literal(c)),
            { description: 'Stable code of what is wrong with the field: translate by it, with `params`' },
          ),
          detail: Type.String({
            description: 'The same in English, e.g. "check digits do not match: look for a typo"',
          }),
          params: Type.Optional(
            Type.Record(Type.String(), Type.Union([Type.String(), Type.Number()]), {
              description: 'The values the message is built from, e.g. {"limit": 100} or {"got": 9}',
            }),
          ),
        }),
      ),
    ),
  },
  { $id: 'Problem', description: 'RFC 9457 problem document' },
);

export const IsoTimestamp = Type.String({ description: 'ISO 8601 UTC, e.g. 2025-08-26T15:30:00Z' });

/** An amount of money in BRL: a JSON number with at most two decimals (kept as centavos, shared/money.ts). */
export const Brl = (options: { minimum?: number; maximum?: number; description?: string } = {}) =>
  Type.Number({ minimum: 0, maximum: 1_000_000_000, multipleOf: 0.01, ...options });

/** A field `customer.updated` names in `changed_fields`. */
export const CustomerFieldSchema = Type.Unsafe<CustomerField>({ type: 'string', enum: [...CUSTOMER_FIELDS] });
