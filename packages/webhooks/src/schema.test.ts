import { describe, expect, it } from 'vitest';
import { SchemaError, array, boolean, integer, object, string } from './schema.js';

describe('array()', () => {
  const tags = array(object({ name: string(), quantity: integer(1) }));

  it('parses every element into its canonical form, in order', () => {
    expect(
      tags.parse([
        { quantity: 2, name: 'Pizza', extra: true },
        { name: 'Suco', quantity: 1 },
      ]),
    ).toEqual([
      { name: 'Pizza', quantity: 2 },
      { name: 'Suco', quantity: 1 },
    ]);
    expect(tags.parse([])).toEqual([]);
  });

  it('names the failing element by its index, not only the first', () => {
    expect(() =>
      tags.parse(
        [
          { name: 'a', quantity: 1 },
          { name: 'b', quantity: 0 },
        ],
        'items',
      ),
    ).toThrow(new SchemaError('items[1].quantity', 'must be at least 1'));
  });

  it('refuses anything that is not an array', () => {
    expect(() => tags.parse({ 0: 'x' }, 'items')).toThrow('items must be an array, got object');
    expect(() => array(string()).parse(null)).toThrow('body must be an array, got null');
  });

  it('publishes its JSON Schema with the item schema', () => {
    expect(array(string()).jsonSchema).toEqual({ type: 'array', items: { type: 'string' } });
  });
});

describe('boolean()', () => {
  it('takes true and false, and nothing else (not 0, 1 or "true")', () => {
    expect(boolean().parse(true)).toBe(true);
    expect(boolean().parse(false)).toBe(false);
    expect(() => boolean().parse(1, 'opt_in')).toThrow('opt_in must be true or false, got number');
    expect(() => boolean().parse('true')).toThrow('must be true or false, got string');
    expect(boolean().jsonSchema).toEqual({ type: 'boolean' });
  });
});
