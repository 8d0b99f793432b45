import { randomChars, type RandomBytes, pooledRandomBytes } from '../shared/random-chars.js';

const DIGITS_AND_LETTERS = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ';

/** A redeemed reward's coupon: `CZ-` and 8 of `[0-9A-Z]` (welcome coupons keep the contract's `CP-`). */
export const REDEEMED_CODE_PATTERN = /^CZ-[0-9A-Z]{8}$/;

export function generateRedeemedCode(source: RandomBytes = pooledRandomBytes): string {
  return `CZ-${randomChars(DIGITS_AND_LETTERS, 8, source)}`;
}
