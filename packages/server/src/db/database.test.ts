import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { openSqlite, WAL_SIZE_LIMIT_BYTES, type Database } from './database.js';
import { migrateToLatest } from './migrate.js';

const walBytes = (file: string): number => fs.statSync(`${file}-wal`).size;

describe('openSqlite bounds the WAL and probes writes', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'zupy-database-'));
  const file = path.join(dir, 'zupy.db');
  let database: Database | undefined;
  afterEach(async () => {
    await database?.close();
    database = undefined;
    for (const suffix of ['', '-wal', '-shm']) fs.rmSync(file + suffix, { force: true });
  });

  async function open(walSizeLimitBytes?: number): Promise<Database> {
    database = openSqlite(file, walSizeLimitBytes === undefined ? {} : { walSizeLimitBytes });
    await migrateToLatest(database.db as never, 'sqlite');
    return database;
  }

  it('sets journal_size_limit to the bound (16 MB unless told)', async () => {
    const { db } = await open();
    const row = await sql<{ journal_size_limit: number }>`pragma journal_size_limit`.execute(db);
    expect(row.rows[0]!.journal_size_limit).toBe(WAL_SIZE_LIMIT_BYTES);
    await database!.close();
    const smaller = await open(64 * 1024);
    const again = await sql<{ journal_size_limit: number }>`pragma journal_size_limit`.execute(smaller.db);
    expect(again.rows[0]!.journal_size_limit).toBe(64 * 1024);
  });

  it('a burst of 2 MB leaves a WAL within the bound, not its high-water mark', async () => {
    const bound = 64 * 1024;
    const { db } = await open(bound);
    await sql`create table blobs (data blob not null)`.execute(db);
    await db.transaction().execute(async (trx) => {
      for (let i = 0; i < 500; i++)
        await sql`insert into blobs (data) values (${Buffer.alloc(4000, i % 256)})`.execute(trx);
    });
    expect(walBytes(file)).toBeGreaterThan(2 * 1024 * 1024);
    // The checkpoint thread copies it and empties it; later small writes keep it small.
    await expect.poll(() => walBytes(file), { timeout: 5_000 }).toBeLessThanOrEqual(bound);
    for (let i = 0; i < 5; i++) {
      await sql`insert into blobs (data) values (${Buffer.alloc(100)})`.execute(db);
      expect(walBytes(file)).toBeLessThanOrEqual(bound);
    }
  });

  it('probeWrite empties the WAL, then makes one durable write of the probe row', async () => {
    const opened = await open();
    const { db } = opened;
    await sql`create table blobs (data blob not null)`.execute(db);
    for (let i = 0; i < 50; i++)
      await sql`insert into blobs (data) values (${Buffer.alloc(4000)})`.execute(db);
    await opened.probeWrite();
    // The probe's commit alone: the WAL header and a frame or two.
    expect(walBytes(file)).toBeLessThanOrEqual(32 + 2 * (24 + 4096));
    const first = await db.selectFrom('storage_probe').selectAll().execute();
    expect(first).toHaveLength(1);
    await opened.probeWrite();
    const second = await db.selectFrom('storage_probe').selectAll().execute();
    expect(second).toHaveLength(1);
    expect(second[0]!.probed_at >= first[0]!.probed_at).toBe(true);
    const blobs = await sql<{ n: number }>`select count(*) as n from blobs`.execute(db);
    expect(blobs.rows).toEqual([{ n: 50 }]);
  });
});
