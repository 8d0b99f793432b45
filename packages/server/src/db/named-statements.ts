import type { PostgresPool, PostgresPoolClient } from 'kysely';
import type pg from 'pg';

/**
 * Distinct SQL texts given a name, in this process. The app issues a few dozen fixed texts (built
 * once by prepared-query.ts or written out, as in the delivery store); a text beyond the bound (a
 * list of varying length, say) runs unnamed, so no connection keeps an unbounded number prepared.
 */
export const MAX_NAMED_STATEMENTS = 500;

const names = new Map<string, string>();

/** The statement name of `text`, or `undefined` once the bound is reached. */
function nameOf(text: string): string | undefined {
  let name = names.get(text);
  if (name === undefined && names.size < MAX_NAMED_STATEMENTS) {
    name = `zupy_${names.size}`;
    names.set(text, name);
  }
  return name;
}

/**
 * A pool whose clients run every statement with parameters as a named prepared statement: PostgreSQL
 * parses and plans it once per connection, then only binds and executes it (the registration's
 * profile spent as much of PostgreSQL's CPU parsing and planning as executing). One round trip
 * either way; node-postgres prepares a name on its first use on each connection. Statements without
 * parameters (`begin`, `commit`, `savepoint …`) keep the simple protocol: one message, nothing to plan.
 */
export function namingStatements(pool: pg.Pool): PostgresPool {
  const wrapped = new WeakMap<pg.PoolClient, PostgresPoolClient>();
  const wrap = (client: pg.PoolClient): PostgresPoolClient => {
    let named = wrapped.get(client);
    if (named === undefined) {
      named = {
        query(text: string, values: readonly unknown[]) {
          const name = values.length > 0 ? nameOf(text) : undefined;
          return name === undefined
            ? client.query(text, [...values])
            : client.query({ name, text, values: [...values] });
        },
        release: (destroy?: boolean) => client.release(destroy),
      } as unknown as PostgresPoolClient;
      wrapped.set(client, named);
    }
    return named;
  };
  return {
    connect: async () => wrap(await pool.connect()),
    end: () => pool.end(),
  };
}
