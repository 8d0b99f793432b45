// A Redis server for the BullMQ peer, started by the bench on its own port in a temporary directory,
// with AOF on and `appendfsync everysec` (Redis' recommended durable setting; `always` would fsync
// every write). Everything else is redis-server's default. Needs `redis-server` on the PATH
// (Debian/Ubuntu: `apt-get install -y redis-server`).
import { spawn } from 'node:child_process';
import net from 'node:net';
import { tempDir } from '../lib.mjs';

/** A port free on 127.0.0.1 just now (the system picks it). */
async function freePort() {
  const server = net.createServer();
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

export async function startRedis() {
  const dir = tempDir('redis');
  const port = await freePort();
  const child = spawn(
    'redis-server',
    [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--dir',
      dir,
      '--appendonly',
      'yes',
      '--appendfsync',
      'everysec',
      '--daemonize',
      'no',
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  await new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (c) => {
      out += c.toString();
      if (out.includes('Ready to accept connections')) resolve();
    });
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`redis-server exited with ${code}: ${out}`)));
  });
  return {
    port,
    pid: child.pid,
    stop: () =>
      new Promise((resolve) => {
        child.once('exit', resolve);
        child.kill('SIGTERM');
      }),
  };
}
