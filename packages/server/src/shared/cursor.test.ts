import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ZupyError } from '../errors.js';
import { createListCursors } from './cursor.js';

const cursors = createListCursors(randomBytes(32));

const refusal = (fn: () => unknown) => {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(ZupyError);
    return (error as ZupyError).fieldErrors;
  }
  throw new Error('the cursor was accepted');
};

describe('list cursors', () => {
  it('round-trip for the company they were given to', () => {
    for (const position of [0, 1, 41, 2 ** 31, Number.MAX_SAFE_INTEGER]) {
      const cursor = cursors.encode('comp_a', position);
      expect(cursor).toMatch(/^[A-Za-z0-9_-]{22}$/);
      expect(cursors.decode('comp_a', cursor)).toBe(position);
    }
    expect(cursors.decode('comp_a', undefined)).toBeUndefined();
    expect(cursors.decode('comp_a', '')).toBeUndefined();
  });

  it('do not show the position: neighbouring rows give unrelated cursors', () => {
    const [a, b] = [cursors.encode('comp_a', 1000), cursors.encode('comp_a', 1001)];
    expect(Buffer.from(a, 'base64url').toString('latin1')).not.toContain('1000');
    const differing = [...Buffer.from(a, 'base64url')].filter(
      (byte, i) => byte !== Buffer.from(b, 'base64url')[i],
    );
    expect(differing.length).toBeGreaterThan(8);
  });

  it("refuse another company's cursor, naming the field", () => {
    const cursor = cursors.encode('comp_a', 42);
    expect(refusal(() => cursors.decode('comp_b', cursor, 'after'))).toEqual([
      { field: 'after', code: 'invalid_cursor', detail: 'not a cursor returned by this API' },
    ]);
  });

  it('refuse every flipped bit, and cursors of another master key', () => {
    const cursor = cursors.encode('comp_a', 42);
    const raw = Buffer.from(cursor, 'base64url');
    for (let bit = 0; bit < raw.length * 8; bit++) {
      const tampered = Buffer.from(raw);
      tampered[bit >> 3]! ^= 1 << (bit & 7);
      expect(refusal(() => cursors.decode('comp_a', tampered.toString('base64url')))).toEqual([
        { field: 'cursor', code: 'invalid_cursor', detail: 'not a cursor returned by this API' },
      ]);
    }
    expect(() => createListCursors(randomBytes(32)).decode('comp_a', cursor)).toThrow(ZupyError);
  });

  it('refuse the old readable form and junk', () => {
    for (const junk of [
      Buffer.from('p:42').toString('base64url'),
      'x',
      `${cursors.encode('comp_a', 1)}A`,
      '!!!!',
    ]) {
      expect(() => cursors.decode('comp_a', junk)).toThrow(ZupyError);
    }
  });
});
