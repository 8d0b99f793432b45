/**
 * Money is kept as integer centavos everywhere (database columns `*_cents`, arithmetic); BRL amounts
 * appear as JSON numbers with at most two decimals only at the API's edge. A JSON number like 19.99 is
 * not exactly representable in binary, so the conversion rounds to the nearest centavo — the schema
 * (`Brl` in http/schemas.ts) has already refused anything with a third decimal.
 */

/** BRL (a JSON number with at most two decimals) → centavos. */
export function toCents(brl: number): number {
  return Math.round(brl * 100);
}

/** Centavos → BRL for a response: the shortest JSON number that reads back as those centavos. */
export function fromCents(cents: number | bigint | string): number {
  return Number(cents) / 100;
}
