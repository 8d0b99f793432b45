import { afterEach, describe, expect, it } from 'vitest';
import { openSqlite, type Database } from './database.js';
import { migrateToLatest } from './migrate.js';
import { preparedQuery } from './prepared-query.js';

const companyNamed = preparedQuery((db, arg: { id: string; name: string }) =>
  db.insertInto('companies').values({ id: arg.id, name: arg.name, created_at: '2026-01-01T00:00:00.000Z' }),
);

const companiesAfter = preparedQuery((db, arg: { after: string; limit: number }) =>
  db
    .selectFrom('companies')
    .select(['id', 'name', 'created_at'])
    .where('id', '>', arg.after)
    .where('created_at', '=', '2026-01-01T00:00:00.000Z')
    .orderBy('id')
    .limit(arg.limit),
);

describe('preparedQuery', () => {
  let database: Database | undefined;
  afterEach(async () => {
    await database?.close();
  });

  it('runs one compiled query with each call’s arguments, keeping the constants it was built with', async () => {
    database = openSqlite(':memory:');
    await migrateToLatest(database.db as never, 'sqlite');
    for (const [id, name] of [
      ['cmp_a', 'Alpha'],
      ['cmp_b', 'Beta'],
      ['cmp_c', 'Gamma'],
    ] as const) {
      await companyNamed.run(database.db, { id, name });
    }
    expect(await companiesAfter.run(database.db, { after: 'cmp_a', limit: 1 })).toEqual([
      { id: 'cmp_b', name: 'Beta', created_at: '2026-01-01T00:00:00.000Z' },
    ]);
    expect((await companiesAfter.run(database.db, { after: '', limit: 10 })).map((c) => c.name)).toEqual([
      'Alpha',
      'Beta',
      'Gamma',
    ]);
    expect(await companiesAfter.run(database.db, { after: 'cmp_c', limit: 10 })).toEqual([]);
  });

  it('runs inside a transaction, whose rollback undoes it', async () => {
    database = openSqlite(':memory:');
    await migrateToLatest(database.db as never, 'sqlite');
    const db = database.db;
    await expect(
      db.transaction().execute(async (trx) => {
        await companyNamed.run(trx, { id: 'cmp_x', name: 'X' });
        expect(await companiesAfter.run(trx, { after: '', limit: 5 })).toHaveLength(1);
        throw new Error('roll back');
      }),
    ).rejects.toThrow('roll back');
    expect(await companiesAfter.run(db, { after: '', limit: 5 })).toEqual([]);
  });
});
