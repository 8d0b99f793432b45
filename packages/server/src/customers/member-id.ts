import { pooledRandomBytes, randomChars, UPPER_HEX, type RandomBytes } from '../shared/random-chars.js';

export const MEMBER_ID_PATTERN = /^ZP-[0-9A-F]{8}$/;
export const COUPON_CODE_PATTERN = /^CP-[0-9A-F]{8}$/;

/** `ZP-` and 8 uppercase hex characters (CONTRACT §1). Uniqueness is checked on insert. */
export function generateMemberId(source: RandomBytes = pooledRandomBytes): string {
  return `ZP-${randomChars(UPPER_HEX, 8, source)}`;
}

/** `CP-` and 8 uppercase hex characters, for coupon welcome rewards. */
export function generateCouponCode(source: RandomBytes = pooledRandomBytes): string {
  return `CP-${randomChars(UPPER_HEX, 8, source)}`;
}
