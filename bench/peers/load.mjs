// What drives the peers and Zupy alike: the event bodies (each naming its own member id, which the
// recording receiver keys arrivals by), a closed-loop client (`concurrency` requests in flight), an
// open-loop client at a fixed rate, and CPU read from /proc for any process.
import fs from 'node:fs';
import { Pool } from 'undici';
import { sampleEvent, serializeEvent } from '../../packages/webhooks/dist/index.js';

export const memberId = (n) => `ZP-${n.toString(16).toUpperCase().padStart(8, '0')}`;

/** The ~600-byte `customer.registered` sample for member `n`. */
export function memberBody(n) {
  const event = sampleEvent('customer.registered');
  event.customer.member_id = memberId(n);
  return serializeEvent(event);
}

const phone = (n) => `11 9${String(n).padStart(8, '0').slice(0, 4)}-${String(n).padStart(8, '0').slice(4)}`;
/** A Zupy registration of new person `n`. */
export const registrationBody = (n) => JSON.stringify({ phone: phone(n), name: `Peer bench ${n}` });

/** `total` POSTs to `url` + `path`, `concurrency` in flight; the rate of 2xx answers. */
export async function closedLoop(url, path, makeBody, { total, concurrency = 32, headers = {} }) {
  const pool = new Pool(new URL(url).origin, { connections: concurrency });
  let next = 0;
  let ok = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < total) {
        const n = next++;
        const res = await pool.request({
          path,
          method: 'POST',
          headers: { 'content-type': 'application/json', ...headers },
          body: makeBody(n),
        });
        await res.body.dump();
        if (res.statusCode < 300) ok++;
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  await pool.close();
  return { ok, errors: total - ok, seconds, per_second: ok / seconds };
}

/**
 * Open loop: `rate` POSTs a second for `seconds`, each sent when due whatever the earlier ones are
 * doing (up to 256 connections). Returns when each was answered (epoch ms) by member id, and the
 * rate achieved.
 */
export async function openLoop(url, path, makeBody, memberOf, { rate, seconds, headers = {} }) {
  const pool = new Pool(new URL(url).origin, { connections: 256 });
  const count = Math.round(rate * seconds);
  const answered = new Map();
  const inflight = [];
  let errors = 0;
  const start = performance.now();
  for (let i = 0; i < count; i++) {
    const wait = start + (i * 1000) / rate - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    inflight.push(
      pool
        .request({
          path,
          method: 'POST',
          headers: { 'content-type': 'application/json', ...headers },
          body: makeBody(i),
        })
        .then(async (res) => {
          const text = await res.body.text();
          const at = performance.timeOrigin + performance.now();
          const member = res.statusCode < 300 ? memberOf(i, text) : null;
          if (member) answered.set(member, at);
          else errors++;
        }),
    );
  }
  await Promise.all(inflight);
  const achieved = count / ((performance.now() - start) / 1000);
  await pool.close();
  return { count, answered, achieved, errors };
}

/** CPU time (utime + stime, and reaped children's) of `pid` in µs; 0 once it is gone. */
export function cpuMicros(pid) {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // Fields 14-17 of proc(5) (utime, stime, cutime, cstime) are at 11-14 after the name.
    const ticks = fields.slice(11, 15).reduce((sum, f) => sum + Number(f), 0);
    return (ticks * 1_000_000) / 100; // CLK_TCK is 100 on Linux
  } catch {
    return 0;
  }
}

/** CPU of `pid` and every live child of it (PostgreSQL: the postmaster and its backends), in µs. */
export function treeCpuMicros(pid) {
  let total = cpuMicros(pid);
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === pid) total += cpuMicros(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return total;
}
