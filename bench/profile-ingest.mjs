// Profiles the API taking registrations (`zupy serve --no-worker`):
// `node bench/profile-ingest.mjs [n] [dir] [--postgres]` writes a .cpuprofile into dir (open it in
// Chrome DevTools or speedscope) and prints the ingest figures of that run; `--postgres` profiles
// the server on embedded PostgreSQL (fsync on) instead of SQLite.
import fs from 'node:fs';
import path from 'node:path';
import { startPostgres } from './lib.mjs';
import { ingest } from './scenarios.mjs';

const args = process.argv.slice(2).filter((a) => a !== '--postgres');
const postgres = process.argv.includes('--postgres');
const n = Number(args[0] ?? 6_000);
const dir = path.resolve(args[1] ?? 'ingest-profile');
fs.mkdirSync(dir, { recursive: true });
const pg = postgres ? await startPostgres() : null;
try {
  const result = await ingest(n, {
    rounds: 1,
    nodeArgs: ['--cpu-prof', `--cpu-prof-dir=${dir}`],
    ...(pg ? { pgAdminUrl: pg.url, only: 'postgres' } : {}),
  });
  console.log(JSON.stringify(result));
  console.log(`profile in ${dir}`);
} finally {
  await pg?.stop();
}
process.exit(0);
