/**
 * A tiny schema kit, so each event is defined once and that one definition gives its TypeScript type,
 * its run-time validation and its canonical key order (what the server serializes). No dependencies.
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

export interface Schema<T> {
  /** Returns a canonical copy (known keys only, in definition order) or throws {@link SchemaError}. */
  parse(value: unknown, path?: string): T;
}

export type Infer<S> = S extends Schema<infer T> ? T : never;
type Prettify<T> = { [K in keyof T]: T[K] } & {};

function describe(value: unknown): string {
  return value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value;
}

export function string(pattern?: RegExp, hint?: string): Schema<string> {
  return {
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
    parse(value, path = '') {
      if (typeof value !== 'number' || !Number.isFinite(value)) {
        throw new SchemaError(path, `must be a number, got ${describe(value)}`);
      }
      return value;
    },
  };
}

export function literal<const L extends string | boolean>(expected: L): Schema<L> {
  return {
    parse(value, path = '') {
      if (value !== expected) throw new SchemaError(path, `must be ${JSON.stringify(expected)}`);
      return expected;
    },
  };
}

export function oneOf<const V extends readonly string[]>(values: V): Schema<V[number]> {
  return {
    parse(value, path = '') {
      if (typeof value !== 'string' || !values.includes(value)) {
        throw new SchemaError(path, `must be one of ${values.join(', ')}`);
      }
      return value;
    },
  };
}

export function nullable<T>(inner: Schema<T>): Schema<T | null> {
  return { parse: (value, path = '') => (value === null ? null : inner.parse(value, path)) };
}

export function object<S extends Record<string, Schema<unknown>>>(
  shape: S,
): Schema<Prettify<{ [K in keyof S]: Infer<S[K]> }>> {
  return {
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
