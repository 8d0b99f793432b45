/**
 * A tiny schema kit, so each event is defined once and that one definition gives its TypeScript type,
 * its run-time validation, its canonical key order (what the server serializes) and its JSON Schema
 * (what the documentation publishes). No dependencies.
 */

export class SchemaError extends Error {
  constructor(
    readonly path: string,
    detail: string,
  ) {
    super(`${path || 'body'} ${detail}`);
    this.name = 'SchemaError';
  }
}

/** A JSON Schema (draft 2020-12) document or sub-schema, as plain JSON. */
export type JsonSchema = { readonly [keyword: string]: unknown };

export interface Schema<T> {
  /** Returns a canonical copy (known keys only, in definition order) or throws {@link SchemaError}. */
  parse(value: unknown, path?: string): T;
  /** The same definition as JSON Schema: what `parse` accepts (unknown keys are allowed, and dropped). */
  readonly jsonSchema: JsonSchema;
}

export type Infer<S> = S extends Schema<infer T> ? T : never;
type Prettify<T> = { [K in keyof T]: T[K] } & {};

function describe(value: unknown): string {
  return value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value;
}

export function string(pattern?: RegExp, hint?: string): Schema<string> {
  return {
    jsonSchema: {
      type: 'string',
      ...(pattern ? { pattern: pattern.source } : {}),
      ...(hint ? { description: hint } : {}),
    },
    parse(value, path = '') {
      if (typeof value !== 'string') throw new SchemaError(path, `must be a string, got ${describe(value)}`);
      if (pattern && !pattern.test(value))
        throw new SchemaError(path, `must be ${hint ?? `like ${String(pattern)}`}`);
      return value;
    },
  };
}

export function number(): Schema<number> {
  return {
    jsonSchema: { type: 'number' },
    parse(value, path = '') {
      if (typeof value !== 'number' || !Number.isFinite(value)) {
        throw new SchemaError(path, `must be a number, got ${describe(value)}`);
      }
      return value;
    },
  };
}

/** A whole number, at least `minimum` when given. */
export function integer(minimum?: number): Schema<number> {
  return {
    jsonSchema: { type: 'integer', ...(minimum !== undefined ? { minimum } : {}) },
    parse(value, path = '') {
      if (typeof value !== 'number' || !Number.isInteger(value)) {
        throw new SchemaError(path, `must be an integer, got ${describe(value)}`);
      }
      if (minimum !== undefined && value < minimum) {
        throw new SchemaError(path, `must be at least ${minimum}`);
      }
      return value;
    },
  };
}

export function literal<const L extends string | boolean>(expected: L): Schema<L> {
  return {
    jsonSchema: { const: expected },
    parse(value, path = '') {
      if (value !== expected) throw new SchemaError(path, `must be ${JSON.stringify(expected)}`);
      return expected;
    },
  };
}

export function oneOf<const V extends readonly string[]>(values: V): Schema<V[number]> {
  return {
    jsonSchema: { type: 'string', enum: [...values] },
    parse(value, path = '') {
      if (typeof value !== 'string' || !values.includes(value)) {
        throw new SchemaError(path, `must be one of ${values.join(', ')}`);
      }
      return value;
    },
  };
}

function withoutDescription(schema: JsonSchema): JsonSchema {
  return Object.fromEntries(Object.entries(schema).filter(([keyword]) => keyword !== 'description'));
}

/** `inner` or `null`; the description, if any, stays on the outside. */
export function nullable<T>(inner: Schema<T>): Schema<T | null> {
  const { description } = inner.jsonSchema;
  return {
    jsonSchema: {
      ...(description !== undefined ? { description } : {}),
      anyOf: [withoutDescription(inner.jsonSchema), { type: 'null' }],
    },
    parse: (value, path = '') => (value === null ? null : inner.parse(value, path)),
  };
}

/** The same schema with a description in its JSON Schema (what the field means, for the docs). */
export function described<T>(description: string, inner: Schema<T>): Schema<T> {
  return {
    jsonSchema: { description, ...withoutDescription(inner.jsonSchema) },
    parse: (value, path) => inner.parse(value, path),
  };
}

export function object<S extends Record<string, Schema<unknown>>>(
  shape: S,
): Schema<Prettify<{ [K in keyof S]: Infer<S[K]> }>> {
  return {
    jsonSchema: {
      type: 'object',
      properties: Object.fromEntries(Object.entries(shape).map(([key, schema]) => [key, schema.jsonSchema])),
      required: Object.keys(shape),
    },
    parse(value, path = '') {
      if (typeof value !== 'object' || value === null || Array.isArray(value)) {
        throw new SchemaError(path, `must be an object, got ${describe(value)}`);
      }
      const input = value as Record<string, unknown>;
      const out: Record<string, unknown> = {};
      for (const key of Object.keys(shape)) {
        const child = path ? `${path}.${key}` : key;
        if (!(key in input)) throw new SchemaError(child, 'is missing');
        out[key] = shape[key]!.parse(input[key], child);
      }
      return out as Prettify<{ [K in keyof S]: Infer<S[K]> }>;
    },
  };
}

/** A union told apart by one key, e.g. `type` in a welcome reward. */
export function tagged<K extends string, V extends Record<string, Schema<object>>>(
  key: K,
  variants: V,
): Schema<Infer<V[keyof V]>> {
  return {
    jsonSchema: { oneOf: Object.values(variants).map((variant) => variant.jsonSchema) },
    parse(value, path = '') {
      const tag =
        typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[key] : undefined;
      const variant = typeof tag === 'string' && Object.hasOwn(variants, tag) ? variants[tag] : undefined;
      if (variant === undefined) {
        const child = path ? `${path}.${key}` : key;
        throw new SchemaError(child, `must be one of ${Object.keys(variants).join(', ')}`);
      }
      return variant.parse(value, path) as Infer<V[keyof V]>;
    },
  };
}

/** A JSON array whose every element is `item` (`changed_fields`, `bonuses`, `items_affected`). */
export function array<T>(item: Schema<T>): Schema<T[]> {
  return {
    jsonSchema: { type: 'array', items: item.jsonSchema },
    parse(value, path = '') {
      if (!Array.isArray(value)) throw new SchemaError(path, `must be an array, got ${describe(value)}`);
      return value.map((element, index) => item.parse(element, `${path}[${index}]`));
    },
  };
}

/** `true` or `false` (`marketing_opt_in.whatsapp`). */
export function boolean(): Schema<boolean> {
  return {
    jsonSchema: { type: 'boolean' },
    parse(value, path = '') {
      if (typeof value !== 'boolean')
        throw new SchemaError(path, `must be true or false, got ${describe(value)}`);
      return value;
    },
  };
}
