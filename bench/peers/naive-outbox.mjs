// Peer 1, a naive SQLite outbox as a Node developer writes one with better-sqlite3: one table in WAL
// mode (synchronous stays FULL, better-sqlite3's default, so every commit is on disk), the route
// inserts a row; the worker, on each tick (woken by an insert or a finished send, or every 50 ms),
// marks what finished as done and claims up to the free slots of 64 in one transaction. A crash
// leaves claimed rows 'sending'; they go back to 'pending' at start (at least once).
import path from 'node:path';
import Database from 'better-sqlite3';
import { IN_FLIGHT } from './send.mjs';
import { runPeer } from './child.mjs';
import { peerScenarios } from './peer-scenarios.mjs';

const SELF = new URL(import.meta.url).pathname;

async function open({ dir }) {
  const db = new Database(path.join(dir, 'outbox.db'));
  db.pragma('journal_mode = WAL');
  db.exec(`create table if not exists outbox (
    id integer primary key, body text not null, status text not null default 'pending',
    attempts integer not null default 0, created_at integer not null, done_at integer)`);
  db.exec(`create index if not exists outbox_pending on outbox (id) where status = 'pending'`);
  db.exec(`update outbox set status = 'pending' where status = 'sending'`);
  const insert = db.prepare('insert into outbox (body, created_at) values (?, ?)');
  const claim = db.prepare(`update outbox set status = 'sending', attempts = attempts + 1
    where id in (select id from outbox where status = 'pending' order by id limit ?) returning id, body`);
  const markDone = db.prepare(`update outbox set status = 'done', done_at = ? where id = ?`);
  const release = db.prepare(`update outbox set status = 'pending' where id = ?`);
  let send = null;
  let inflight = 0;
  let finished = [];
  let scheduled = false;
  let timer = null;
  const tick = db.transaction(() => {
    const now = Date.now();
    for (const { id, ok } of finished) {
      if (ok) markDone.run(now, id);
      else release.run(id);
    }
    finished = [];
    return IN_FLIGHT - inflight > 0 ? claim.all(IN_FLIGHT - inflight) : [];
  });
  const run = () => {
    scheduled = false;
    if (!send) return; // closed meanwhile
    for (const row of tick()) {
      inflight++;
      void send(row.id, row.body).then((ok) => {
        inflight--;
        finished.push({ id: row.id, ok });
        wake();
      });
    }
  };
  const wake = () => {
    if (send && !scheduled) {
      scheduled = true;
      setImmediate(run);
    }
  };
  return {
    async enqueue(body) {
      const id = insert.run(body, Date.now()).lastInsertRowid;
      wake();
      return id;
    },
    async enqueueMany(bodies) {
      db.transaction(() => bodies.forEach((b) => insert.run(b, Date.now())))();
    },
    async startWorker(sendFn) {
      send = sendFn;
      timer = setInterval(wake, 50);
      wake();
    },
    async close() {
      clearInterval(timer);
      send = null;
      db.close();
    },
  };
}

if (process.argv[1] === SELF) await runPeer(open);

export const { drain, enqueueRate, endToEnd } = peerScenarios('naive SQLite outbox', SELF, {
  database: 'dir',
});
