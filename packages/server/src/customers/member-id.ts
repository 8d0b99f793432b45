import { randomChars, UPPER_HEX, type RandomBytes } from '../shared/random-chars.js';
import { randomBytes } from 'node:crypto';

export const MEMBER_ID_PATTERN = /^ZP-[0-9A-F]{8}$/;
export const COUPON_CODE_PATTERN = /^CP-[0-9A-F]{8}$/;

/** `ZP-` and 8 uppercase hex characters (CONTRACT §1). Uniqueness is checked on insert. */
export function generateMemberId(source: RandomBytes = randomBytes): string {
  return `ZP-${randomChars(UPPER_HEX, 8, source)}`;
}

/** `CP-` and 8 uppercase hex characters, for coupon welcome rewards. */
export function generateCouponCode(source: RandomBytes = randomBytes): string {
  return `CP-${randomChars(UPPER_HEX, 8, source)}`;
}
