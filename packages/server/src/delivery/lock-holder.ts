import fs from 'node:fs';
import os from 'node:os';

/**
 * Names a process well enough to tell, on the same host, that it is gone: host name, pid, and the
 * pid's start time (Linux: clock ticks since boot, from /proc; `-` elsewhere). The start time tells a
 * restarted container's new pid 1 from the old one, which a pid alone cannot.
 */
export function lockHolderName(id: string, pid = process.pid): string {
  return `${os.hostname()} ${pid} ${processStart(pid) ?? '-'} ${id}`;
}

/**
 * Whether the process named in `holder` is known to be gone: on this host, and its pid is no longer
 * running or now belongs to a process started at another time. Anything unsure (another host, a name
 * in the older `host pid id` form whose pid runs) counts as alive: the lock then expires by itself.
 */
export function holderIsGone(holder: string): boolean {
  const [host, pidText, start] = holder.split(' ');
  if (host !== os.hostname() || pidText === undefined) return false;
  const pid = Number(pidText);
  try {
    process.kill(pid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
  if (start === undefined || !/^\d+$/.test(start)) return false;
  const now = processStart(pid);
  return now !== null && now !== start;
}

/** The 22nd field of /proc/<pid>/stat (start time), or null where there is no /proc. */
export function processStart(pid: number): string | null {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) is in parentheses and may hold spaces: count from after it.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const start = fields[22 - 3];
    return start !== undefined && /^\d+$/.test(start) ? start : null;
  } catch {
    return null;
  }
}
