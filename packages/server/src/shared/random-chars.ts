import { randomBytes } from 'node:crypto';

export type RandomBytes = (size: number) => Buffer;

export const ALPHANUMERIC = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
export const UPPER_HEX = '0123456789ABCDEF';

/**
 * `length` characters drawn uniformly from `alphabet` (rejection sampling, so no modulo bias).
 * The byte source is injectable so tests can force collisions.
 */
export function randomChars(alphabet: string, length: number, source: RandomBytes = randomBytes): string {
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
export function newId(prefix: string, source: RandomBytes = randomBytes): string {
  return `${prefix}_${randomChars(ALPHANUMERIC, 24, source)}`;
}
