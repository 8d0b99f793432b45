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

/**
 * A BRL amount as partners write it → centavos, or null when it is not one: `"1.234,56"`,
 * `"R$ 89,90"`, `"89,9"`, `"1234,56"`, `"1.234"` (thousands), `"89.90"` (a decimal point, when what
 * follows the only point is one or two digits), or a JSON number with at most two decimals.
 * Negative amounts, a third decimal and malformed thousands groups (`"1.23,4"`) are refused.
 */
export function parseBrl(value: unknown): number | null {
  if (typeof value === 'number') {
    if (!Number.isFinite(value) || value < 0 || value > 1_000_000_000) return null;
    const cents = Math.round(value * 100);
    // Two decimals exactly when the centavos read back as the very same number.
    return cents / 100 === value ? cents : null;
  }
  if (typeof value !== 'string') return null;
  const text = value.trim().replace(/^R\$\s*/i, '');
  let whole: string;
  let fraction = '';
  const comma = /^(\d{1,3}(?:\.\d{3})+|\d+)(?:,(\d{1,2}))?$/.exec(text);
  const point = /^(\d+)\.(\d{1,2})$/.exec(text);
  if (comma) {
    whole = comma[1]!.replace(/\./g, '');
    fraction = comma[2] ?? '';
  } else if (point) {
    whole = point[1]!;
    fraction = point[2]!;
  } else return null;
  const cents = Number(whole) * 100 + Number(fraction.padEnd(2, '0'));
  return Number.isSafeInteger(cents) && cents <= 100_000_000_000 ? cents : null;
}

/** Centavos → `"1.234,56"`, as Brazilians write money (without the `R$`). */
export function formatBrl(cents: number): string {
  const whole = Math.floor(cents / 100)
    .toString()
    .replace(/\B(?=(\d{3})+(?!\d))/g, '.');
  return `${whole},${String(cents % 100).padStart(2, '0')}`;
}
