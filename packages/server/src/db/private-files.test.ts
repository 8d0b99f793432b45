import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { loadMasterKey, MASTER_KEY_FILE } from '../shared/secret-box.js';
import { openSqlite, SQLITE_FILE_NAME } from './database.js';

const mode = (p: string) => fs.statSync(p).mode & 0o777;

/** Collects the process warnings emitted while `work` runs. */
async function warningsDuring(work: () => Promise<void> | void): Promise<string[]> {
  const seen: string[] = [];
  const listener = (warning: Error) => seen.push(warning.message);
  process.on('warning', listener);
  try {
    await work();
    // 'warning' is emitted on the next tick.
    await new Promise((resolve) => setImmediate(resolve));
  } finally {
    process.off('warning', listener);
  }
  return seen;
}

describe('the data dir and its files are private to their owner', () => {
  const umask = process.umask();
  const roots: string[] = [];
  afterEach(() => {
    process.umask(umask);
    for (const root of roots.splice(0)) fs.rmSync(root, { recursive: true, force: true });
  });
  const root = () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'zupy-modes-'));
    roots.push(dir);
    return dir;
  };

  it.each(['022', '000', '002'])(
    'creates the dir 0700 and zupy.db, -wal, -shm and master.key 0600 under umask %s',
    async (permissive) => {
      process.umask(parseInt(permissive, 8));
      const dataDir = path.join(root(), 'nested', 'data');
      const file = path.join(dataDir, SQLITE_FILE_NAME);
      const database = openSqlite(file);
      try {
        await sql`create table t (x integer)`.execute(database.db);
        await sql`insert into t values (1)`.execute(database.db);
        loadMasterKey(undefined, dataDir);
        expect(mode(dataDir).toString(8)).toBe('700');
        for (const name of [
          SQLITE_FILE_NAME,
          `${SQLITE_FILE_NAME}-wal`,
          `${SQLITE_FILE_NAME}-shm`,
          MASTER_KEY_FILE,
        ]) {
          expect(mode(path.join(dataDir, name)).toString(8), name).toBe('600');
        }
      } finally {
        await database.close();
      }
    },
  );

  it('creates the master key file 0600 in a fresh data dir 0700 (PostgreSQL keeps only the key there)', () => {
    process.umask(0o000);
    const dataDir = path.join(root(), 'data');
    loadMasterKey(undefined, dataDir);
    expect(mode(dataDir).toString(8)).toBe('700');
    expect(mode(path.join(dataDir, MASTER_KEY_FILE)).toString(8)).toBe('600');
  });

  it('warns at start, leaving it be, when an existing data dir or database is wider than 0700/0600', async () => {
    const dataDir = path.join(root(), 'data');
    fs.mkdirSync(dataDir);
    fs.chmodSync(dataDir, 0o755);
    const file = path.join(dataDir, SQLITE_FILE_NAME);
    fs.writeFileSync(file, '');
    fs.chmodSync(file, 0o644);
    let database: ReturnType<typeof openSqlite> | undefined;
    const warnings = await warningsDuring(() => {
      database = openSqlite(file);
    });
    await database?.close();
    expect(warnings).toEqual([
      expect.stringMatching(new RegExp(`data dir ${dataDir} has mode 0755.*chmod 700`)),
      expect.stringMatching(/database .* has mode 0644.*chmod 600/),
    ]);
    expect(mode(dataDir).toString(8)).toBe('755');
  });

  it('says nothing about a data dir that is already private', async () => {
    const dataDir = root();
    fs.chmodSync(dataDir, 0o700);
    const warnings = await warningsDuring(async () => {
      await openSqlite(path.join(dataDir, SQLITE_FILE_NAME)).close();
    });
    expect(warnings).toEqual([]);
  });
});
