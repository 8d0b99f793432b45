import { ZupyError } from '../errors.js';

/** Opaque list cursors: base64url of a row's position, so clients cannot depend on their shape. */
export function encodeCursor(position: number): string {
  return Buffer.from(`p:${position}`, 'utf8').toString('base64url');
}

export function decodeCursor(cursor: string | undefined, field = 'cursor'): number | undefined {
  if (cursor === undefined || cursor === '') return undefined;
  const match = /^p:(\d{1,15})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (!match) {
    throw new ZupyError('ZUPY_VALIDATION_FAILED', `${field} is not a cursor returned by this API`, {
      fieldErrors: [{ field, detail: 'not a cursor returned by this API' }],
    });
  }
  return Number(match[1]);
}

export interface Page<T> {
  data: T[];
  meta: { cursor: string | null; has_next: boolean; count: number };
}

/**
 * Builds a page from `limit + 1` rows fetched in order: the extra row only tells that there is more.
 * `resumable` lists (the events feed) always return a cursor, so a client can poll for what comes next.
 */
export function toPage<R, T>(
  rows: R[],
  limit: number,
  position: (row: R) => number,
  map: (row: R) => T,
  resumable?: { from: string | undefined },
): Page<T> {
  const hasNext = rows.length > limit;
  const pageRows = hasNext ? rows.slice(0, limit) : rows;
  const last = pageRows[pageRows.length - 1];
  const cursor =
    last !== undefined && (hasNext || resumable) ? encodeCursor(position(last)) : (resumable?.from ?? null);
  return {
    data: pageRows.map(map),
    meta: {
      cursor,
      has_next: hasNext,
      count: pageRows.length,
    },
  };
}
