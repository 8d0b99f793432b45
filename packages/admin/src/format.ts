/**
 * Times as Brazilians write them, `02/12/2026 14:05`, in the browser's time zone (the company's own
 * zone is not stored yet). Built from the parts, not `toLocaleString`, whose pt-BR output puts a comma
 * between date and time on newer ICU versions.
 */
const PARTS = new Intl.DateTimeFormat('pt-BR', {
  day: '2-digit',
  month: '2-digit',
  year: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  hourCycle: 'h23',
});

/** `02/12/2026 14:05`, or `02/12/2026 14:05:09` with `seconds` (an attempt's start). */
export function formatDateTime(iso: string, options: { seconds?: boolean } = {}): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  const part = Object.fromEntries(PARTS.formatToParts(date).map((p) => [p.type, p.value]));
  const time = `${part.hour}:${part.minute}${options.seconds ? `:${part.second}` : ''}`;
  return `${part.day}/${part.month}/${part.year} ${time}`;
}

const BRL = new Intl.NumberFormat('pt-BR', { style: 'currency', currency: 'BRL' });

/** `R$ 12,01`: money as Brazilians write it (the API's BRL numbers have at most two decimals). */
export function formatBrl(value: number): string {
  return BRL.format(value).replace(/\u00a0/g, ' ');
}

/**
 * What a cashier types as money, `12,01`, `1.234,56` or `12.01`, as the API's BRL number; NaN for
 * anything else (the API then names the field).
 */
export function parseBrl(text: string): number {
  const trimmed = text.trim().replace(/^R\$\s*/, '');
  const normalized = trimmed.includes(',') ? trimmed.replace(/\./g, '').replace(',', '.') : trimmed;
  return /^\d+(\.\d{1,2})?$/.test(normalized) ? Number(normalized) : Number.NaN;
}
