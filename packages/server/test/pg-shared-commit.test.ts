import { sql } from 'kysely';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { openPostgres, type Database } from '../src/db/database.js';
import { migrateToLatest } from '../src/db/migrate.js';
import { sharedCommitsOf } from '../src/db/shared-commit.js';
import { runInTransaction } from '../src/db/transaction.js';
import { freshDatabaseUrl, onPostgres } from './helpers/test-database.js';

/** Shared commits on a real PostgreSQL (db/pg-shared-commit.ts); SQLite's are in src/db/shared-commit.test.ts. */
describe.runIf(onPostgres)('shared commits (PostgreSQL)', () => {
  let database: Database | undefined;
  let reader: pg.Client | undefined;
  afterEach(async () => {
    await database?.close();
    await reader?.end();
    database = reader = undefined;
  });

  async function open() {
    const url = (await freshDatabaseUrl())!;
    database = openPostgres(url);
    await migrateToLatest(database.db as never, 'postgres');
    // Another connection: it sees a transaction's rows once committed, never before.
    reader = new pg.Client({ connectionString: url });
    await reader.connect();
    return database.db;
  }

  const addCompany = (id: string) => (trx: Database['db']) =>
    trx.insertInto('companies').values({ id, name: id, created_at: '2026-01-01T00:00:00.000Z' }).execute();

  const companyIds = async (db: Database['db']) =>
    (await db.selectFrom('companies').select('id').orderBy('id').execute()).map((c) => c.id);

  const committedCount = async () =>
    Number((await reader!.query<{ n: string }>('select count(*) as n from companies')).rows[0]!.n);

  it('transactions that arrive together share one commit; each caller hears back after it', async () => {
    const db = await open();
    const shared = sharedCommitsOf(db)!;
    const before = shared.commits;
    const seenAtAnswer = await Promise.all(
      Array.from({ length: 10 }, (_, i) => runInTransaction(db, addCompany(`cmp_${i}`)).then(committedCount)),
    );
    expect(seenAtAnswer).toEqual(Array(10).fill(10));
    expect(shared.commits - before).toBe(1);
  });

  it('while a batch runs, another connection sees none of it', async () => {
    const db = await open();
    let seenInside = -1;
    await Promise.all([
      runInTransaction(db, addCompany('cmp_a')),
      runInTransaction(db, async (trx) => {
        await addCompany('cmp_b')(trx);
        // cmp_a (an earlier transaction of this batch) and cmp_b are written, not committed.
        seenInside = await committedCount();
      }),
    ]);
    expect(seenInside).toBe(0);
    expect(await committedCount()).toBe(2);
  });

  it('a transaction that fails rolls back alone (its savepoint); the others of its batch commit', async () => {
    const db = await open();
    const shared = sharedCommitsOf(db)!;
    const before = shared.commits;
    const results = await Promise.allSettled([
      runInTransaction(db, addCompany('cmp_a')),
      runInTransaction(db, async (trx) => {
        await addCompany('cmp_b')(trx);
        throw new Error('b fails after writing');
      }),
      // A constraint error (duplicate primary key) aborts PostgreSQL's transaction: the savepoint
      // brings it back, and only this one's work goes.
      runInTransaction(db, async (trx) => {
        await addCompany('cmp_c')(trx);
        await addCompany('cmp_a')(trx);
      }),
      runInTransaction(db, addCompany('cmp_d')),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'rejected', 'fulfilled']);
    expect(String((results[1] as PromiseRejectedResult).reason)).toContain('b fails after writing');
    expect((results[2] as PromiseRejectedResult).reason).toMatchObject({ code: '23505' });
    expect(shared.commits - before).toBe(1);
    expect(await companyIds(db)).toEqual(['cmp_a', 'cmp_d']);
  });

  it('when the commit itself fails, every transaction of the batch fails and nothing is written', async () => {
    const db = await open();
    // A deferred constraint is checked at the commit: two of the batch insert the same key.
    await sql`create table deferred_keys (k int, constraint deferred_keys_k unique (k) deferrable initially deferred)`.execute(
      db,
    );
    const insertKey = (k: number) => (trx: Database['db']) =>
      sql`insert into deferred_keys (k) values (${k})`.execute(trx);
    const results = await Promise.allSettled([
      runInTransaction(db, addCompany('cmp_a')),
      runInTransaction(db, insertKey(1)),
      runInTransaction(db, insertKey(1)),
    ]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected', 'rejected']);
    for (const r of results) expect((r as PromiseRejectedResult).reason).toMatchObject({ code: '23505' });
    expect(await committedCount()).toBe(0);
    // The next transactions are not affected.
    await runInTransaction(db, addCompany('cmp_b'));
    expect(await companyIds(db)).toEqual(['cmp_b']);
  });

  it('when the connection dies in the middle of a batch, no caller is answered as committed', async () => {
    const db = await open();
    const results = await Promise.allSettled([
      runInTransaction(db, addCompany('cmp_a')),
      runInTransaction(db, async (trx) => {
        await addCompany('cmp_b')(trx);
        // The server ends this connection (as a crash or a restart of PostgreSQL would).
        await sql`select pg_terminate_backend(pg_backend_pid())`.execute(trx);
      }),
      runInTransaction(db, addCompany('cmp_c')),
    ]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected', 'rejected']);
    expect(await committedCount()).toBe(0);
    // The pool replaces the dead connection.
    await runInTransaction(db, addCompany('cmp_d'));
    expect(await companyIds(db)).toEqual(['cmp_d']);
  });

  it('transactions that arrive one after another each commit as they come', async () => {
    const db = await open();
    const shared = sharedCommitsOf(db)!;
    const before = shared.commits;
    for (const id of ['cmp_1', 'cmp_2', 'cmp_3']) await runInTransaction(db, addCompany(id));
    expect(shared.commits - before).toBe(3);
    expect(await companyIds(db)).toEqual(['cmp_1', 'cmp_2', 'cmp_3']);
  });
});
