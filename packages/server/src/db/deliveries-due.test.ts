import { afterEach, describe, expect, it } from 'vitest';
import { openSqlite, type Database } from './database.js';
import { markDeliveriesDue, onDeliveriesDue } from './deliveries-due.js';
import { migrateToLatest } from './migrate.js';
import { runInTransaction } from './transaction.js';

describe('deliveries due, told after the commit', () => {
  let database: Database | undefined;
  afterEach(async () => database?.close());

  async function open(): Promise<{ db: Database['db']; told: string[] }> {
    database = openSqlite(':memory:');
    await migrateToLatest(database.db as never, 'sqlite');
    const told: string[] = [];
    onDeliveriesDue(database.db, () => told.push('due'));
    return { db: database.db, told };
  }

  it('tells once the marking transaction committed, not while it runs', async () => {
    const { db, told } = await open();
    await runInTransaction(db, (trx) => {
      markDeliveriesDue(trx);
      expect(told).toEqual([]);
      return Promise.resolve();
    });
    expect(told).toEqual(['due']);
  });

  it('tells nothing for a transaction that marked nothing, or rolled back', async () => {
    const { db, told } = await open();
    await runInTransaction(db, () => Promise.resolve());
    await expect(
      runInTransaction(db, (trx) => {
        markDeliveriesDue(trx);
        return Promise.reject(new Error('rolled back'));
      }),
    ).rejects.toThrow('rolled back');
    expect(told).toEqual([]);
  });

  it('of transactions sharing one commit, tells for the one that marked (the second of three)', async () => {
    const { db, told } = await open();
    const results = await Promise.all(
      [false, true, false].map((marks, i) =>
        runInTransaction(db, (trx) => {
          if (marks) markDeliveriesDue(trx);
          return Promise.resolve(i);
        }),
      ),
    );
    expect(results).toEqual([0, 1, 2]);
    expect(told).toEqual(['due']);
  });
});
