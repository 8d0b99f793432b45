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
