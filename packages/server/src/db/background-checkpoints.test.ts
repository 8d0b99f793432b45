import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { startBackgroundCheckpoints, type BackgroundCheckpoints } from './background-checkpoints.js';

const PAGE = 4096;

function openWal(): { file: string; sqlite: SQLite.Database } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'zupy-ckpt-'));
  const file = path.join(dir, 'zupy.db');
  const sqlite = new SQLite(file);
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = NORMAL');
  sqlite.exec('create table blobs (id integer primary key, data blob not null)');
  return { file, sqlite };
}

/** Commits `count` transactions of ~`pages` pages each, letting the event loop turn between them. */
async function writeBatches(sqlite: SQLite.Database, count: number, pages: number): Promise<void> {
  const insert = sqlite.prepare('insert into blobs (data) values (?)');
  const batch = sqlite.transaction(() => {
    for (let i = 0; i < pages; i++) insert.run(Buffer.alloc(PAGE - 200, i));
  });
  for (let i = 0; i < count; i++) {
    batch();
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

const walBytes = (file: string): number => fs.statSync(`${file}-wal`).size;

describe('WAL checkpoints on a thread of their own', () => {
  let checkpoints: BackgroundCheckpoints | undefined;
  let sqlite: SQLite.Database | undefined;
  afterEach(async () => {
    await checkpoints?.stop();
    sqlite?.close();
    checkpoints = sqlite = undefined;
  });

  it('the connection never checkpoints, yet the WAL is copied into the database and reused', async () => {
    const opened = openWal();
    sqlite = opened.sqlite;
    checkpoints = startBackgroundCheckpoints(opened.file, sqlite, { intervalMs: 10 });
    expect(sqlite.pragma('wal_autocheckpoint', { simple: true })).toBe(0);
    // 40 commits of 200 pages: 32 MB through the WAL. Without checkpoints it would hold all of it.
    await writeBatches(sqlite, 40, 200);
    const written = 40 * 200 * PAGE;
    expect(walBytes(opened.file)).toBeLessThan(written / 4);
    expect(sqlite.prepare('select count(*) as n from blobs').get()).toEqual({ n: 8000 });
  });

  it('without the thread the same writes pile up in the WAL (what the first test rules out)', async () => {
    const opened = openWal();
    sqlite = opened.sqlite;
    sqlite.pragma('wal_autocheckpoint = 0');
    await writeBatches(sqlite, 10, 200);
    expect(walBytes(opened.file)).toBeGreaterThan(10 * 200 * PAGE);
  });

  it('a thread that cannot start hands checkpoints back to the connection and says why', async () => {
    const opened = openWal();
    sqlite = opened.sqlite;
    const errors: Error[] = [];
    checkpoints = startBackgroundCheckpoints(opened.file, sqlite, {
      driver: path.join(os.tmpdir(), 'no-such-sqlite-driver.js'),
      onError: (error) => errors.push(error),
    });
    await expect.poll(() => errors.length).toBe(1);
    expect(errors[0]!.message).toMatch(/no-such-sqlite-driver/);
    expect(sqlite.pragma('wal_autocheckpoint', { simple: true })).toBe(1000);
  });
});
