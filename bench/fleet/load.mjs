// The fleet's event load, the same for every system: `rate` events a second for `seconds`, open loop
// (each sent when due, whatever the earlier ones are doing; at most 256 connections), spread over the
// companies in turn. Records when each was answered (epoch ms) and its
// number by member id.
import { Pool } from 'undici';

/**
 * `request(i)` → `{ path, headers, body }` for event i; `memberOf(i, text)` → its member id from the
 * answer (null: not accepted). Returns { count, answered: Map(member → { at (epoch ms), i }), errors, achieved, startedAt }.
 */
export async function eventLoad(url, request, memberOf, { rate, seconds }) {
  const pool = new Pool(new URL(url).origin, { connections: 256 });
  const count = Math.round(rate * seconds);
  const answered = new Map();
  const pending = new Set();
  let errors = 0;
  const start = performance.now();
  for (let i = 0; i < count; i++) {
    const wait = start + (i * 1000) / rate - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    const { path, headers, body } = request(i);
    const p = pool
      .request({ path, method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body })
      .then(async (res) => {
        const text = await res.body.text();
        const at = performance.timeOrigin + performance.now();
        const member = res.statusCode < 300 ? memberOf(i, text) : null;
        if (member) answered.set(member, { at, i });
        else errors++;
      })
      .catch(() => errors++)
      .finally(() => pending.delete(p));
    pending.add(p);
  }
  await Promise.all(pending);
  const achieved = count / ((performance.now() - start) / 1000);
  await pool.close();
  return { count, answered, errors, achieved, startedAt: performance.timeOrigin + start };
}
