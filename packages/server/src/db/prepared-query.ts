import type { CompiledQuery } from 'kysely';
import {
  DummyDriver,
  Kysely,
  PostgresAdapter,
  PostgresIntrospector,
  PostgresQueryCompiler,
  SqliteAdapter,
  SqliteIntrospector,
  SqliteQueryCompiler,
  type Compilable,
  type Dialect,
} from 'kysely';
import { dialectOf, type DialectName } from './dialect.js';
import type { Tables } from './tables.js';

/** Stands for the argument `name` in a query built once; replaced by its value at each run. */
class Slot {
  constructor(readonly name: string) {}
}

/** Builds nothing, runs nothing: compiles queries for one dialect. */
const compilers: Record<DialectName, Kysely<Tables>> = {
  sqlite: compilerFor({
    createAdapter: () => new SqliteAdapter(),
    createDriver: () => new DummyDriver(),
    createIntrospector: (db) => new SqliteIntrospector(db),
    createQueryCompiler: () => new SqliteQueryCompiler(),
  }),
  postgres: compilerFor({
    createAdapter: () => new PostgresAdapter(),
    createDriver: () => new DummyDriver(),
    createIntrospector: (db) => new PostgresIntrospector(db),
    createQueryCompiler: () => new PostgresQueryCompiler(),
  }),
};

function compilerFor(dialect: Dialect): Kysely<Tables> {
  return new Kysely<Tables>({ dialect });
}

export interface PreparedQuery<A, R> {
  /** Runs the query with `args` on `db` (a connection or a transaction; its dialect is read off it). */
  run(db: Kysely<Tables>, args: A): Promise<R[]>;
}

/**
 * A Kysely query built and compiled once per dialect, then run with new arguments: building and
 * compiling cost as much as running a simple statement on SQLite (the registration's profile), and
 * the same SQL text each time keeps the driver's prepared statement.
 *
 * `build` receives stand-ins for the arguments (`arg.companyId`) and must use them only as values
 * (in `where`, `values`, `set`, `limit`): the shape of the query cannot depend on them.
 */
export function preparedQuery<A extends object, R>(
  build: (db: Kysely<Tables>, arg: A) => Compilable<R>,
): PreparedQuery<A, R> {
  const compiled: Partial<Record<DialectName, { query: CompiledQuery<R>; slots: (string | null)[] }>> = {};
  const stand = new Proxy({} as A, { get: (_target, name) => new Slot(String(name)) });
  return {
    async run(db, args) {
      const dialect = dialectOf(db);
      let entry = compiled[dialect];
      if (entry === undefined) {
        const query = build(compilers[dialect], stand).compile();
        const slots = query.parameters.map((p) => (p instanceof Slot ? p.name : null));
        entry = compiled[dialect] = { query, slots };
      }
      const { query, slots } = entry;
      const values = args as Record<string, unknown>;
      const parameters = query.parameters.map((constant, i) => {
        const name = slots[i];
        return name === null || name === undefined ? constant : values[name];
      });
      const result = await db.executeQuery<R>({ ...query, parameters });
      return result.rows;
    },
  };
}

/** `{ column: arg.column, … }` for the listed columns: an insert's values from a prepared query's stand-ins. */
export function valuesOf<A extends object, K extends keyof A>(arg: A, columns: readonly K[]): Pick<A, K> {
  const values = {} as Pick<A, K>;
  for (const column of columns) values[column] = arg[column];
  return values;
}
