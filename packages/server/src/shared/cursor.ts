import { createCipheriv, createDecipheriv, createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Tables } from '../db/tables.js';
import { ZupyError } from '../errors.js';

/**
 * List cursors, opaque and bound to one company. A cursor is one AES-256 block, base64url: the
 * row's position (8 bytes) and the first 8 bytes of an HMAC-SHA256 over the company id and that
 * position. Encrypting hides the position (a global row id: reading it told a tenant how much
 * every company together does); the HMAC makes a flipped byte, a forged cursor or another
 * company's cursor fail to decode, a 422 naming the field. One block under a fixed key is a
 * pseudorandom permutation, so no IV is needed and the same position gives the same cursor.
 *
 * The keys are derived from the master key: every process sharing a database (and thus
 * `ZUPY_MASTER_KEY`) reads the others' cursors; a new master key invalidates outstanding ones.
 */
export interface ListCursors {
  encode(companyId: string, position: number): string;
  /** `undefined` for no cursor; throws a 422 naming `field` for one this server did not give `companyId`. */
  decode(companyId: string, cursor: string | undefined, field?: string): number | undefined;
}

const BLOCK_BYTES = 16;
const TAG_BYTES = 8;

export function createListCursors(masterKey: Buffer): ListCursors {
  const keys = Buffer.from(hkdfSync('sha256', masterKey, Buffer.alloc(0), 'zupy list cursors v1', 64));
  const cipherKey = keys.subarray(0, 32);
  const macKey = keys.subarray(32);
  const tag = (companyId: string, position: Buffer) =>
    createHmac('sha256', macKey)
      .update(`${companyId}\0`, 'utf8')
      .update(position)
      .digest()
      .subarray(0, TAG_BYTES);
  const refuse = (field: string) =>
    new ZupyError('ZUPY_VALIDATION_FAILED', `${field} is not a cursor returned by this API`, {
      fieldErrors: [{ field, code: 'invalid_cursor', detail: 'not a cursor returned by this API' }],
    });
  return {
    encode(companyId, position) {
      const plain = Buffer.alloc(BLOCK_BYTES);
      plain.writeBigUInt64BE(BigInt(position));
      tag(companyId, plain.subarray(0, 8)).copy(plain, 8);
      const cipher = createCipheriv('aes-256-ecb', cipherKey, null).setAutoPadding(false);
      return Buffer.concat([cipher.update(plain), cipher.final()]).toString('base64url');
    },
    decode(companyId, cursor, field = 'cursor') {
      if (cursor === undefined || cursor === '') return undefined;
      const sealed = Buffer.from(cursor, 'base64url');
      if (sealed.length !== BLOCK_BYTES || sealed.toString('base64url') !== cursor) throw refuse(field);
      const decipher = createDecipheriv('aes-256-ecb', cipherKey, null).setAutoPadding(false);
      const plain = Buffer.concat([decipher.update(sealed), decipher.final()]);
      if (!timingSafeEqual(plain.subarray(8), tag(companyId, plain.subarray(0, 8)))) throw refuse(field);
      const position = plain.readBigUInt64BE();
      if (position > BigInt(Number.MAX_SAFE_INTEGER)) throw refuse(field);
      return Number(position);
    },
  };
}

/** What a list query needs: the database and the cursor keys (an `AppContext` has both). */
export interface ListSource {
  readonly db: Kysely<Tables>;
  readonly cursors: ListCursors;
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
  cursor: { cursors: ListCursors; companyId: string },
  resumable?: { from: string | undefined },
): Page<T> {
  const hasNext = rows.length > limit;
  const pageRows = hasNext ? rows.slice(0, limit) : rows;
  const last = pageRows[pageRows.length - 1];
  const next =
    last !== undefined && (hasNext || resumable)
      ? cursor.cursors.encode(cursor.companyId, position(last))
      : (resumable?.from ?? null);
  return {
    data: pageRows.map(map),
    meta: {
      cursor: next,
      has_next: hasNext,
      count: pageRows.length,
    },
  };
}
