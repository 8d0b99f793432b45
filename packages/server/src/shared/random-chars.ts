import { randomFillSync } from 'node:crypto';

export type RandomBytes = (size: number) => Buffer;

const POOL = Buffer.allocUnsafe(4096);
let poolOffset = POOL.length;

/**
 * Cryptographically random bytes from a pool refilled 4 KB at a time: a `randomBytes()` call per id
 * was 2 % of a registration's CPU. The bytes are valid until the next call: read them at once.
 */
export function pooledRandomBytes(size: number): Buffer {
  if (size > POOL.length) return randomFillSync(Buffer.alloc(size));
  if (poolOffset + size > POOL.length) {
    randomFillSync(POOL);
    poolOffset = 0;
  }
  const bytes = POOL.subarray(poolOffset, poolOffset + size);
  poolOffset += size;
  return bytes;
}

export const ALPHANUMERIC = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
export const UPPER_HEX = '0123456789ABCDEF';

/**
 * `length` characters drawn uniformly from `alphabet` (rejection sampling, so no modulo bias).
 * The byte source is injectable so tests can force collisions.
 */
export function randomChars(
  alphabet: string,
  length: number,
  source: RandomBytes = pooledRandomBytes,
): string {
  const limit = 256 - (256 % alphabet.length);
  let out = '';
  while (out.length < length) {
    for (const byte of source(length * 2)) {
      if (byte < limit) out += alphabet[byte % alphabet.length];
      if (out.length === length) break;
    }
  }
  return out;
}

/** A prefixed random id such as `evt_3kT9…`: 24 alphanumerics, about 143 bits. */
export function newId(prefix: string, source: RandomBytes = pooledRandomBytes): string {
  return `${prefix}_${randomChars(ALPHANUMERIC, 24, source)}`;
}
