import { parsePhoneNumberFromString } from 'libphonenumber-js';

/** The zone times are shown in: the company's (`GET /me/` `time_zone`), America/Sao_Paulo until known. */
export const DEFAULT_TIME_ZONE = 'America/Sao_Paulo';
let parts = partsFormatter(DEFAULT_TIME_ZONE);
let zone = DEFAULT_TIME_ZONE;

function partsFormatter(timeZone: string): Intl.DateTimeFormat {
  return new Intl.DateTimeFormat('pt-BR', {
    timeZone,
    day: '2-digit',
    month: '2-digit',
    year: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hourCycle: 'h23',
  });
}

/** Shows every later time in `timeZone` (an IANA name the API accepted); a bad one keeps the default. */
export function setTimeZone(timeZone: string): void {
  try {
    parts = partsFormatter(timeZone);
    zone = timeZone;
  } catch {
    parts = partsFormatter(DEFAULT_TIME_ZONE);
    zone = DEFAULT_TIME_ZONE;
  }
}

export function timeZone(): string {
  return zone;
}

/**
 * Times as Brazilians write them, `02/12/2026 14:05`, in the company's time zone, in either language.
 * Built from the parts, not `toLocaleString`, whose pt-BR output puts a comma between date and time
 * on newer ICU versions.
 */
export function formatDateTime(iso: string, options: { seconds?: boolean } = {}): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  const part = Object.fromEntries(parts.formatToParts(date).map((p) => [p.type, p.value]));
  const time = `${part.hour}:${part.minute}${options.seconds ? `:${part.second}` : ''}`;
  return `${part.day}/${part.month}/${part.year} ${time}`;
}

/** The time of day alone, `14:05:09`, in the company's time zone (a pause that ends within the hour). */
export function formatTime(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  const part = Object.fromEntries(parts.formatToParts(date).map((p) => [p.type, p.value]));
  return `${part.hour}:${part.minute}:${part.second}`;
}

/** `2026-12-01` (a day of the overview's chart) as `01/12`. */
export function formatDay(isoDate: string): string {
  const [, month, day] = isoDate.split('-');
  return day && month ? `${day}/${month}` : isoDate;
}

const INTEGERS: Record<string, Intl.NumberFormat> = {};

/** `12.345` in pt-BR, `12,345` in English: points and counts with the language's separators. */
export function formatInt(value: number, language: string): string {
  INTEGERS[language] ??= new Intl.NumberFormat(language, { maximumFractionDigits: 0 });
  return INTEGERS[language].format(value);
}

/** `+5511965958122` as `(11) 96595-8122`; a number of another country in its international form. */
export function formatPhone(e164: string): string {
  const phone = parsePhoneNumberFromString(e164);
  if (!phone) return e164;
  return phone.country === 'BR' ? phone.formatNational() : phone.formatInternational();
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

const DECIMALS: Record<string, Intl.NumberFormat> = {};

/** `1,5` in pt-BR, `1.5` in English; at most two decimals, as the API keeps them. */
export function formatDecimal(value: number, language: string): string {
  DECIMALS[language] ??= new Intl.NumberFormat(language, { maximumFractionDigits: 2, useGrouping: false });
  return DECIMALS[language].format(value);
}

/**
 * What the owner typed as a multiplier, `1,5` or `1.5`, as a number; anything else as typed, so the
 * API names the field (a string is its `wrong_type`).
 */
export function parseDecimal(text: string): number | string {
  const trimmed = text.trim();
  return /^\d+([.,]\d+)?$/.test(trimmed) ? Number(trimmed.replace(',', '.')) : trimmed;
}
