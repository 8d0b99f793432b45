import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { openSqlite, type Database } from './database.js';
import { migrateToLatest } from './migrate.js';
import { sharedCommitsOf } from './shared-commit.js';
import { runInTransaction } from './transaction.js';

describe('shared commits (SQLite)', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'zupy-shared-'));
  const file = path.join(dir, 'zupy.db');
  let database: Database | undefined;
  afterEach(async () => {
    await database?.close();
    for (const suffix of ['', '-wal', '-shm']) fs.rmSync(file + suffix, { force: true });
  });

  async function open() {
    database = openSqlite(file);
    await migrateToLatest(database.db as never, 'sqlite');
    return database.db;
  }

  const addCompany = (id: string) => (trx: Database['db']) =>
    trx.insertInto('companies').values({ id, name: id, created_at: '2026-01-01T00:00:00.000Z' }).execute();

  const companyIds = async (db: Database['db']) =>
    (await db.selectFrom('companies').select('id').orderBy('id').execute()).map((c) => c.id);

  it('transactions that arrive together share one commit; each caller hears back after it', async () => {
    const db = await open();
    const shared = sharedCommitsOf(db)!;
    const before = shared.commits;
    // Another connection sees a transaction's rows by the time its caller hears back, not before.
    const reader = new SQLite(file, { readonly: true });
    try {
      const seenAtAnswer = await Promise.all(
        Array.from({ length: 10 }, (_, i) =>
          runInTransaction(db, addCompany(`cmp_${i}`)).then(
            () => (reader.prepare('select count(*) as n from companies').get() as { n: number }).n,
          ),
        ),
      );
      expect(seenAtAnswer).toEqual(Array(10).fill(10));
    } finally {
      reader.close();
    }
    expect(shared.commits - before).toBe(1);
    expect(await companyIds(db)).toHaveLength(10);
  });

  it('a transaction that fails rolls back alone; the others of its batch commit', async () => {
    const db = await open();
    const results = await Promise.allSettled([
      runInTransaction(db, addCompany('cmp_a')),
      runInTransaction(db, async (trx) => {
        await addCompany('cmp_b')(trx);
        throw new Error('b fails after writing');
      }),
      // A constraint error inside the batch (duplicate primary key) is the same: only its own work goes.
      runInTransaction(db, async (trx) => {
        await addCompany('cmp_c')(trx);
        await addCompany('cmp_a')(trx);
      }),
      runInTransaction(db, addCompany('cmp_d')),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'rejected', 'fulfilled']);
    expect(String((results[1] as PromiseRejectedResult).reason)).toContain('b fails after writing');
    expect(await companyIds(db)).toEqual(['cmp_a', 'cmp_d']);
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
