import { sql, type Kysely, type RawBuilder } from 'kysely';
import { dialectOf } from './dialect.js';
import type { Tables } from './tables.js';

/**
 * Text as search compares it: lower case, accents and cedillas dropped (`Conceição` → `conceicao`),
 * so a cashier typing without accents finds the name. Decomposes (NFD) and removes the combining
 * marks; letters with no decomposition (ß, ø) stay as they are.
 */
export function foldText(text: string): string {
  return text.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();
}

/**
 * The accented letters of Portuguese, Spanish and French, both cases, and what each folds to. On
 * PostgreSQL `translate` folds with them (no extension needed, and `lower` alone leaves non-ASCII
 * letters alone under the C locale); on SQLite the `zupy_fold` function (`foldText`, registered by
 * openSqlite) folds any Unicode text. Both agree on every letter listed here (folded-text.test.ts).
 */
export const ACCENTED = 'áàâãäåéèêëíìîïóòôõöúùûüçñýÿÁÀÂÃÄÅÉÈÊËÍÌÎÏÓÒÔÕÖÚÙÛÜÇÑÝ';
export const UNACCENTED = 'aaaaaaeeeeiiiiooooouuuucnyyaaaaaaeeeeiiiiooooouuuucny';

/** SQLite: `zupy_fold(text)`, the SQL face of `foldText`. */
export const SQLITE_FOLD_FUNCTION = 'zupy_fold';

/** A column folded like `foldText`, for comparisons that ignore case and accents. */
export function foldedColumn(db: Kysely<Tables>, column: string): RawBuilder<string> {
  return dialectOf(db) === 'postgres'
    ? sql<string>`lower(translate(${sql.ref(column)}, ${ACCENTED}, ${UNACCENTED}))`
    : sql<string>`zupy_fold(${sql.ref(column)})`;
}

/** `column` contains `text`, ignoring case and accents, with `%` and `_` in `text` taken literally. */
export function foldedContains(db: Kysely<Tables>, column: string, text: string): RawBuilder<boolean> {
  const pattern = `%${foldText(text).replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
  return sql<boolean>`${foldedColumn(db, column)} like ${pattern} escape '\\'`;
}
