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
