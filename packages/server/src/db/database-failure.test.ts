import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { classifyDatabaseFailure, storageFailureOf } from './database-failure.js';

const coded = (code: string, message = 'x') => Object.assign(new Error(message), { code });

/** The error `work` throws. */
function thrown(work: () => unknown): unknown {
  try {
    work();
  } catch (error) {
    return error;
  }
  throw new Error('nothing was thrown');
}

describe('classifying database failures', () => {
  it('SQLite’s own “database or disk is full” is storage-full', () => {
    // max_page_count makes SQLite refuse to grow the file, with the very error a full disk gives.
    const sqlite = new SQLite(':memory:');
    sqlite.exec('create table t (v blob)');
    sqlite.pragma('max_page_count = 3');
    const error = thrown(() => {
      for (let i = 0; i < 100; i++) sqlite.prepare('insert into t values (?)').run(Buffer.alloc(4000));
    });
    sqlite.close();
    expect(error).toMatchObject({ code: 'SQLITE_FULL', message: 'database or disk is full' });
    expect(classifyDatabaseFailure(error)).toBe('storage-full');
  });

  it('a write of our own on a full device (ENOSPC from /dev/full) is storage-full', () => {
    const error = thrown(() => fs.writeFileSync('/dev/full', 'x'));
    expect(error).toMatchObject({ code: 'ENOSPC' });
    expect(classifyDatabaseFailure(error)).toBe('storage-full');
  });

  it('a write to a read-only database is storage-error', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'zupy-ro-'));
    const file = path.join(dir, 'ro.db');
    new SQLite(file).exec('create table t (v text)').close();
    const sqlite = new SQLite(file, { readonly: true });
    const error = thrown(() => sqlite.prepare('insert into t values (1)').run());
    sqlite.close();
    fs.rmSync(dir, { recursive: true });
    expect(error).toMatchObject({ code: 'SQLITE_READONLY' });
    expect(classifyDatabaseFailure(error)).toBe('storage-error');
  });

  it.each([
    ['53100', 'storage-full'], // PostgreSQL disk_full
    ['EDQUOT', 'storage-full'],
    ['SQLITE_IOERR', 'storage-error'],
    ['SQLITE_IOERR_WRITE', 'storage-error'],
    ['SQLITE_IOERR_FSYNC', 'storage-error'],
    ['SQLITE_IOERR_SHMSIZE', 'storage-error'],
    ['SQLITE_READONLY_DBMOVED', 'storage-error'],
    ['EIO', 'storage-error'],
    ['EROFS', 'storage-error'],
    ['58030', 'storage-error'], // PostgreSQL io_error
    ['57P01', 'unavailable'],
    ['57P03', 'unavailable'],
    ['53300', 'unavailable'],
    ['08006', 'unavailable'],
    ['08P01', 'unavailable'],
    ['ECONNREFUSED', 'unavailable'],
    ['SQLITE_BUSY', 'unavailable'],
  ])('code %s is %s', (code, kind) => {
    expect(classifyDatabaseFailure(coded(code))).toBe(kind);
  });

  it.each([
    '53000', // insufficient_resources: not said to be the disk
    '53200', // out_of_memory
    '23505', // unique violation: the caller's business
    '42P01', // undefined table: a bug
    'SQLITE_CONSTRAINT_UNIQUE',
    'SQLITE_ERROR',
    'ENOENT',
    '080', // not a SQLSTATE
  ])('code %s is none of them (a bug or the request’s fault)', (code) => {
    expect(classifyDatabaseFailure(coded(code))).toBeNull();
  });

  it('node-postgres’ dropped connections are told by message; other errors and non-errors are none', () => {
    expect(classifyDatabaseFailure(new Error('Connection terminated unexpectedly'))).toBe('unavailable');
    expect(classifyDatabaseFailure(new Error('Client was closed and is not queryable'))).toBe('unavailable');
    expect(classifyDatabaseFailure(new Error('no space left'))).toBeNull();
    expect(classifyDatabaseFailure(null)).toBeNull();
    expect(classifyDatabaseFailure('SQLITE_FULL')).toBeNull();
    expect(classifyDatabaseFailure({ code: 53100 })).toBeNull();
  });

  it('storageFailureOf keeps the storage kinds only', () => {
    expect(storageFailureOf(coded('SQLITE_FULL'))).toBe('storage-full');
    expect(storageFailureOf(coded('EIO'))).toBe('storage-error');
    expect(storageFailureOf(coded('57P01'))).toBeNull();
    expect(storageFailureOf(coded('42P01'))).toBeNull();
  });
});
