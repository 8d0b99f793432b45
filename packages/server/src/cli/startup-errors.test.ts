import { describe, expect, it } from 'vitest';
import { describeStartupError } from './startup-errors.js';

const pg = { ZUPY_DATABASE_URL: 'postgres://zupy:s3cret@db.internal:6432/zupy' };

describe('describeStartupError', () => {
  it('names PostgreSQL refusals without the password, and only in PostgreSQL mode', () => {
    expect(describeStartupError({ code: '28P01' }, pg)).toBe(
      'PostgreSQL at db.internal:6432 refused the user or password in ZUPY_DATABASE_URL',
    );
    expect(describeStartupError({ code: '3D000' }, pg)).toContain('does not exist on db.internal:6432');
    expect(describeStartupError({ code: 'ENOTFOUND' }, pg)).toContain(
      'cannot reach PostgreSQL at db.internal:6432',
    );
    expect(describeStartupError({ code: '28P01' }, { ZUPY_DATABASE_URL: 'postgres://h/x' })).toContain(
      'h:5432',
    );
    for (const code of ['28P01', '3D000', 'ECONNREFUSED'])
      expect(describeStartupError({ code }, {})).toBeNull();
    expect(JSON.stringify(describeStartupError({ code: '28P01' }, pg))).not.toContain('s3cret');
  });

  it('names listen failures by their address, and leaves unknown errors to their stack', () => {
    const listen = { syscall: 'listen', address: '0.0.0.0', port: 80 };
    expect(describeStartupError({ ...listen, code: 'EACCES' }, {})).toContain('ports below 1024');
    expect(describeStartupError({ ...listen, code: 'EADDRNOTAVAIL' }, {})).toContain('ZUPY_HOST');
    expect(describeStartupError({ ...listen, code: 'EADDRINUSE' }, {})).toContain(
      '0.0.0.0:80 is already in use',
    );
    expect(describeStartupError({ code: 'EADDRINUSE' }, {})).toBeNull();
    expect(describeStartupError(new Error('boom'), pg)).toBeNull();
    expect(describeStartupError(null, pg)).toBeNull();
  });

  it('names an unwritable data directory in SQLite mode, with the path and the fix', () => {
    const sqlite = { ZUPY_DATA_DIR: '/srv/zupy' };
    for (const [code, reason] of [
      ['EACCES', 'permission denied'],
      ['EROFS', 'read-only file system'],
      ['ENOTDIR', 'a part of the path is a file'],
    ] as const) {
      expect(describeStartupError({ code, syscall: 'mkdir', path: '/srv/zupy' }, sqlite)).toContain(
        `cannot write the data directory /srv/zupy (ZUPY_DATA_DIR): ${reason}`,
      );
    }
    expect(describeStartupError({ code: 'SQLITE_READONLY_DIRECTORY' }, sqlite)).toContain(
      'cannot open the SQLite database in /srv/zupy (ZUPY_DATA_DIR) for writing (SQLITE_READONLY_DIRECTORY)',
    );
    expect(describeStartupError({ code: 'SQLITE_CANTOPEN' }, sqlite)).toContain('SQLITE_CANTOPEN');
    // Not a file error (no path), another SQLite error, or PostgreSQL mode: not a data-dir problem.
    expect(describeStartupError({ code: 'EACCES', syscall: 'mkdir' }, sqlite)).toBeNull();
    expect(describeStartupError({ code: 'SQLITE_BUSY' }, sqlite)).toBeNull();
    expect(describeStartupError({ code: 'EACCES', syscall: 'open', path: '/x' }, pg)).toBeNull();
  });
});
