export { formatTimestamp } from '@zupy/webhooks';

/** Stored timestamps: ISO 8601 UTC with milliseconds, sortable as text on both engines. */
export function storedTimestamp(date: Date): string {
  return date.toISOString();
}

/** A stored timestamp shown through the API: second precision, like the webhook bodies. */
export function apiTimestamp(stored: string): string {
  return stored.slice(0, 19) + 'Z';
}
