import { randomBytes } from 'node:crypto';
import { SECRET_PREFIX } from './sign.js';

/** A new endpoint secret: `whsec_` + base64 of 32 random bytes. */
export function generateSecret(): string {
  return SECRET_PREFIX + randomBytes(32).toString('base64');
}
