import { spawn } from 'node:child_process';
import os from 'node:os';
import { describe, expect, it } from 'vitest';
import { holderIsGone, lockHolderName, processStart } from './lock-holder.js';

const onLinux = process.platform === 'linux';

async function exitedPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '']);
  await new Promise((resolve) => child.once('exit', resolve));
  return child.pid!;
}

describe('delivery lock holder names', () => {
  it('a running holder is not gone; the same name from another host is never judged', () => {
    const me = lockHolderName('wrk_a');
    expect(me.split(' ').slice(0, 2)).toEqual([os.hostname(), String(process.pid)]);
    expect(holderIsGone(me)).toBe(false);
    expect(holderIsGone(me.replace(os.hostname(), `${os.hostname()}-elsewhere`))).toBe(false);
  });

  it('a holder whose pid no longer runs is gone, in both name forms', async () => {
    const pid = await exitedPid();
    expect(holderIsGone(`${os.hostname()} ${pid} 12345 wrk_a`)).toBe(true);
    expect(holderIsGone(`${os.hostname()} ${pid} wrk_a`)).toBe(true);
  });

  it.skipIf(!onLinux)(
    'a pid now running a process started at another time is gone (a restarted container’s pid 1)',
    () => {
      const start = processStart(process.pid);
      expect(start).toMatch(/^\d+$/);
      const earlier = String(Number(start) - 1);
      expect(holderIsGone(`${os.hostname()} ${process.pid} ${earlier} wrk_old`)).toBe(true);
      // The older form, without a start time, cannot tell: the lock expires instead.
      expect(holderIsGone(`${os.hostname()} ${process.pid} wrk_old`)).toBe(false);
    },
  );
});
