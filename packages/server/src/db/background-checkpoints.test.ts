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

/**
 * One small commit per millisecond or so for `ms`, as a server under steady load commits: a write
 * always begins before the checkpoint has caught up. Returns the largest WAL seen.
 */
async function writeSteadily(file: string, sqlite: SQLite.Database, ms: number): Promise<number> {
  const insert = sqlite.prepare('insert into blobs (data) values (?)');
  let largest = 0;
  for (const end = Date.now() + ms; Date.now() < end;) {
    insert.run(Buffer.alloc(300, 1));
    largest = Math.max(largest, walBytes(file));
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
  return largest;
}

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

  it('under steady writes the WAL never starts over by itself: it grows (what the next test rules out)', async () => {
    const opened = openWal();
    sqlite = opened.sqlite;
    checkpoints = startBackgroundCheckpoints(opened.file, sqlite);
    // ~500 commits a second, a page each: 2 MB a second through the WAL.
    expect(await writeSteadily(opened.file, sqlite, 2_000)).toBeGreaterThan(3 * 1024 * 1024);
  });

  it('past its bound the thread truncates the WAL, so steady writes keep it near the bound', async () => {
    const opened = openWal();
    sqlite = opened.sqlite;
    const bound = 128 * 1024;
    checkpoints = startBackgroundCheckpoints(opened.file, sqlite, { walSizeLimitBytes: bound });
    // Past the bound by at most what one checkpoint interval (100 ms) of writes adds (a few hundred KB here).
    expect(await writeSteadily(opened.file, sqlite, 2_000)).toBeLessThan(bound + 1024 * 1024);
    const rows = sqlite.prepare('select count(*) as n from blobs').get() as { n: number };
    expect(rows.n).toBeGreaterThan(300);
  });

  it('truncate() copies the whole WAL into the database and leaves it empty', async () => {
    const opened = openWal();
    sqlite = opened.sqlite;
    // An interval long enough that no checkpoint of the thread's own runs meanwhile.
    checkpoints = startBackgroundCheckpoints(opened.file, sqlite, { intervalMs: 60_000 });
    await writeBatches(sqlite, 3, 100);
    expect(walBytes(opened.file)).toBeGreaterThan(300 * PAGE);
    await checkpoints.truncate();
    expect(walBytes(opened.file)).toBe(0);
    const reader = new SQLite(opened.file, { readonly: true });
    expect(reader.prepare('select count(*) as n from blobs').get()).toEqual({ n: 300 });
    reader.close();
  });

  it('truncate() after stop() resolves without the thread', async () => {
    const opened = openWal();
    sqlite = opened.sqlite;
    checkpoints = startBackgroundCheckpoints(opened.file, sqlite);
    await checkpoints.stop();
    await expect(checkpoints.truncate()).resolves.toBeUndefined();
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
