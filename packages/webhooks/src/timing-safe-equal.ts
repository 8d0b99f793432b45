import { timingSafeEqual as nodeTimingSafeEqual } from 'node:crypto';

/**
 * Compares two strings in time that depends only on their lengths, never on where they first differ,
 * so a caller cannot learn a valid signature byte by byte from response times.
 */
export function timingSafeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a, 'utf8');
  const right = Buffer.from(b, 'utf8');
  if (left.length !== right.length) {
    // Still spend the comparison, against itself, so a length mismatch is not faster to detect.
    nodeTimingSafeEqual(left, left);
    return false;
  }
  return nodeTimingSafeEqual(left, right);
}
