import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createWalSync, type WalSync } from './wal-sync.js';

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
});
