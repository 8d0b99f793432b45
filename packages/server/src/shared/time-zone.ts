/**
 * Company time zones (IANA names such as `America/Sao_Paulo`): what the wall clock of the company
 * reads at an instant, for happy hours and promotion dates. Node's Intl carries the tz database.
 */

export const DEFAULT_TIME_ZONE = 'America/Sao_Paulo';

export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (f === undefined) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      weekday: 'short',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/**
 * The tz database's spelling of a time zone name (`america/sao_paulo` → `America/Sao_Paulo`,
 * `Etc/UTC` → `UTC`), or null for anything it does not know (an offset like `-03:00` included).
 */
export function canonicalTimeZone(name: string): string | null {
  if (!/^[A-Za-z][A-Za-z0-9_+\-/]{0,63}$/.test(name)) return null;
  try {
    return new Intl.DateTimeFormat('en-US', { timeZone: name }).resolvedOptions().timeZone;
  } catch {
    return null;
  }
}

export interface LocalMoment {
  weekday: Weekday;
  /** Minutes since local midnight, 0 to 1439. */
  minutes: number;
  /** The local date, `YYYY-MM-DD`. */
  date: string;
}

/** The company's wall clock at `instant`. */
export function localMoment(instant: Date, timeZone: string): LocalMoment {
  const parts = Object.fromEntries(
    formatter(timeZone)
      .formatToParts(instant)
      .map((p) => [p.type, p.value]),
  );
  return {
    weekday: String(parts.weekday).toLowerCase() as Weekday,
    minutes: Number(parts.hour) * 60 + Number(parts.minute),
    date: `${parts.year}-${parts.month}-${parts.day}`,
  };
}

const wallFormatters = new Map<string, Intl.DateTimeFormat>();

/** The wall clock at `instant` in `timeZone`, read as if it were UTC (ms). */
function wallAsUtc(instant: number, timeZone: string): number {
  let f = wallFormatters.get(timeZone);
  if (f === undefined) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    wallFormatters.set(timeZone, f);
  }
  const p = Object.fromEntries(f.formatToParts(new Date(instant)).map((x) => [x.type, Number(x.value)]));
  return Date.UTC(p.year!, p.month! - 1, p.day, p.hour, p.minute, p.second);
}

/**
 * The instant a date and time without an offset means in `timeZone`, for partners that send their
 * local time: `2025-08-29 18:10`, `2025-08-29T18:10:00`, `29/08/2025 18:10:00`. An ISO instant with
 * `Z` or an offset is taken as it is. Null for anything else.
 */
export function parseLocalDateTime(text: string, timeZone: string): Date | null {
  if (/[zZ]$|[+-]\d\d:?\d\d$/.test(text) && /^\d{4}-\d\d-\d\dT/.test(text)) {
    const instant = new Date(text);
    return Number.isNaN(instant.getTime()) ? null : instant;
  }
  const iso = /^(\d{4})-(\d\d)-(\d\d)(?:[T ](\d\d):(\d\d)(?::(\d\d))?)?$/.exec(text);
  const br = /^(\d\d)\/(\d\d)\/(\d{4})(?: (\d\d):(\d\d)(?::(\d\d))?)?$/.exec(text);
  const parts = iso
    ? [iso[1], iso[2], iso[3], iso[4], iso[5], iso[6]]
    : br
      ? [br[3], br[2], br[1], br[4], br[5], br[6]]
      : null;
  if (parts === null) return null;
  const [y, mo, d, h, mi, s] = parts.map((v) => Number(v ?? 0)) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const wall = Date.UTC(y, mo - 1, d, h, mi, s);
  const check = new Date(wall);
  if (check.getUTCMonth() !== mo - 1 || check.getUTCDate() !== d || h > 23 || mi > 59 || s > 59) return null;
  // The offset at a first guess, then at the instant it gives (right across a DST change too).
  let instant = wall - (wallAsUtc(wall, timeZone) - wall);
  instant = wall - (wallAsUtc(instant, timeZone) - instant);
  return new Date(instant);
}
