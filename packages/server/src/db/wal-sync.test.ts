import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { createWalSync, sqliteCommitMark, type WalSync } from './wal-sync.js';

describe('group commit (WAL sync)', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'zupy-wal-'));
  const wal = path.join(dir, 'zupy.db-wal');
  let walSync: WalSync | undefined;
  afterEach(async () => {
    await walSync?.close();
    fs.rmSync(wal, { force: true });
  });

  it('does nothing until a WAL exists', async () => {
    walSync = createWalSync(wal);
    await walSync.sync();
    expect(walSync.syncs).toBe(0);
  });

  it('shares one fsync among callers that arrive while one runs', async () => {
    fs.writeFileSync(wal, 'frames');
    walSync = createWalSync(wal);
    await Promise.all(Array.from({ length: 50 }, () => walSync!.sync()));
    // The first call starts a sync; the 49 that arrive while it runs share the next one.
    expect(walSync.syncs).toBe(2);
  });

  it('a caller that arrives during a sync waits for one that started after it', async () => {
    fs.writeFileSync(wal, 'frames');
    walSync = createWalSync(wal);
    const first = walSync.sync();
    const order: string[] = [];
    const second = walSync.sync().then(() => order.push('second'));
    await first.then(() => order.push('first'));
    await second;
    // The second caller's commit may have come after the first sync began: it got a sync of its own.
    expect(order).toEqual(['first', 'second']);
    expect(walSync.syncs).toBe(2);
    // Later callers start a fresh sync of their own.
    await walSync.sync();
    expect(walSync.syncs).toBe(3);
  });

  it('with a commit mark, a caller with nothing committed since a sync began shares it', async () => {
    fs.writeFileSync(wal, 'frames');
    let mark: string | null = 'a';
    walSync = createWalSync(wal, () => mark);
    await walSync.sync();
    expect(walSync.syncs).toBe(1);
    // Nothing committed since: already durable.
    await walSync.sync();
    expect(walSync.syncs).toBe(1);
    // A commit, then two callers while its sync runs: the second shares the first's sync.
    mark = 'b';
    const first = walSync.sync();
    await walSync.sync();
    await first;
    expect(walSync.syncs).toBe(2);
    // A commit after a sync began: that caller gets a sync of its own, and so does everyone who
    // queued behind it, whatever each of them needed.
    mark = 'c';
    const running = walSync.sync();
    mark = 'd';
    const queuedEarly = walSync.sync();
    mark = 'e';
    const queuedLate = walSync.sync();
    await Promise.all([running, queuedEarly, queuedLate]);
    expect(walSync.syncs).toBe(4);
    await walSync.sync();
    expect(walSync.syncs).toBe(4);
  });

  it('with a commit mark, an open transaction (no mark) always syncs, and so does the next look', async () => {
    fs.writeFileSync(wal, 'frames');
    let mark: string | null = 'a';
    walSync = createWalSync(wal, () => mark);
    await walSync.sync();
    mark = null;
    await walSync.sync();
    expect(walSync.syncs).toBe(2);
    // The transaction committed without the mark changing from before it: still synced.
    mark = 'a';
    await walSync.sync();
    expect(walSync.syncs).toBe(3);
    await walSync.sync();
    expect(walSync.syncs).toBe(3);
    // flush() syncs even when nothing seems committed (schema changes count in no mark).
    await walSync.flush();
    expect(walSync.syncs).toBe(4);
  });

  it('SQLite’s commit mark changes with this connection’s and other connections’ commits only', () => {
    const file = path.join(dir, 'mark.db');
    const mine = new SQLite(file);
    const other = new SQLite(file);
    try {
      mine.pragma('journal_mode = WAL');
      mine.exec('create table t (x integer)');
      const mark = sqliteCommitMark(mine);
      const start = mark();
      mine.prepare('select count(*) from t').get();
      expect(mark()).toBe(start);
      mine.prepare('insert into t values (1)').run();
      const afterMine = mark();
      expect(afterMine).not.toBe(start);
      other.prepare('insert into t values (2)').run();
      expect(mark()).not.toBe(afterMine);
      mine.exec('begin');
      expect(mark()).toBeNull();
      mine.exec('rollback');
    } finally {
      mine.close();
      other.close();
    }
  });
});
