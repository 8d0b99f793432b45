import type { EarningPlatform } from '@zupy/webhooks';

/** One order as a partner's feed gave it, read into Zupy's terms (nothing checked yet but the shape). */
export interface PartnerOrder {
  order_id: string | null;
  /** Centavos, or null when the amount is missing or not one. */
  value_cents: number | null;
  /** When the order was placed, if the partner said (an ISO instant, or local time in the company's zone). */
  ordered_at: string | null;
  customer: { name: string | null; phone: string | null; email: string | null; cpf: string | null };
}

/**
 * A partner's feed: what its bodies look like. Adding a partner is one file like generic.ts, listed
 * in partners/index.ts.
 */
export interface PartnerAdapter {
  /** The `{partner}` of `POST /webhooks/integrations/{partner}/`. */
  name: string;
  /** The platform its orders are credited as (idempotent on this platform and the order id). */
  platform: EarningPlatform;
  /** Where a body holds its orders when it is an object: `elementsOf(body, elementKeys)`. */
  elementKeys: readonly string[];
  /** The orders of one body: usually an array; a single order object is one order. */
  orders(body: unknown): PartnerOrder[];
}

/** The elements of a body that is an array, an object holding one (`orders`, `data`…), or a single order. */
export function elementsOf(body: unknown, keys: readonly string[]): unknown[] {
  if (Array.isArray(body)) return body;
  if (typeof body === 'object' && body !== null) {
    for (const key of keys) {
      const inner = (body as Record<string, unknown>)[key];
      if (Array.isArray(inner)) return inner;
    }
    return [body];
  }
  return [];
}

/** A field as text: strings trimmed (empty: null), numbers as written; anything else null. */
export function text(record: unknown, key: string): string | null {
  if (typeof record !== 'object' || record === null) return null;
  const value = (record as Record<string, unknown>)[key];
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (typeof value !== 'string') return null;
  const trimmed = value.trim();
  return trimmed === '' ? null : trimmed;
}

export function field(record: unknown, key: string): unknown {
  return typeof record === 'object' && record !== null ? (record as Record<string, unknown>)[key] : undefined;
}
