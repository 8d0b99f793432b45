import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { ADMIN_DIST } from '../src/http/admin-static.js';
import { startTestServer, type TestServer } from './helpers/test-server.js';

let server: TestServer | undefined;
const sockets: net.Socket[] = [];
afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.destroy();
  await server?.close();
  server = undefined;
});

/** A raw TCP connection to the test server that records what it receives and when it is closed. */
async function connect(url: string) {
  const { port } = new URL(url);
  const socket = net.connect(Number(port), '127.0.0.1');
  sockets.push(socket);
  const state = { received: '', closedAt: undefined as number | undefined };
  socket.setEncoding('utf8');
  socket.on('data', (chunk: string) => (state.received += chunk));
  socket.on('error', () => undefined); // writes after the server closed: EPIPE / ECONNRESET
  socket.on('close', () => (state.closedAt = Date.now()));
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  return { socket, state };
}

const SHORT = { ZUPY_REQUEST_TIMEOUT: '1s', ZUPY_HEADERS_TIMEOUT: '1s' };

describe('slow clients', () => {
  it('cuts a body trickled one byte per 300 ms with 408 while other clients keep being answered', async () => {
    server = await startTestServer({ env: SHORT });
    const { socket, state } = await connect(server.url);
    const started = Date.now();
    socket.write(
      'POST /api/v2/customers/ HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n' +
        `X-API-Key: ${server.apiKey}\r\nContent-Length: 500\r\n\r\n`,
    );
    let answeredMeanwhile = 0;
    for (let i = 0; i < 30 && state.closedAt === undefined; i++) {
      socket.write(' ');
      const [res] = await Promise.all([server.api.get('/api/v2/customers/'), sleep(300)]);
      expect(res.status).toBe(200);
      answeredMeanwhile++;
    }
    expect(state.closedAt).toBeDefined();
    // 1 s timeout, checked every 250 ms: cut well before the 30 bytes (9 s) would have been sent.
    expect(state.closedAt! - started).toBeLessThan(4000);
    expect(state.received).toMatch(/^HTTP\/1\.1 408 /);
    expect(answeredMeanwhile).toBeGreaterThanOrEqual(2);
    expect((await server.api.get('/api/v2/customers/')).status).toBe(200);
  });

  it('cuts headers trickled one line per 300 ms (ZUPY_HEADERS_TIMEOUT)', async () => {
    server = await startTestServer({ env: SHORT });
    const { socket, state } = await connect(server.url);
    const started = Date.now();
    socket.write('GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n');
    for (let i = 0; i < 30 && state.closedAt === undefined; i++) {
      socket.write(`X-Slow-${i}: 1\r\n`);
      await sleep(300);
    }
    expect(state.closedAt).toBeDefined();
    expect(state.closedAt! - started).toBeLessThan(4000);
    expect(state.received).toMatch(/^(HTTP\/1\.1 408 |$)/);
  });

  it('closes an idle keep-alive connection after ZUPY_KEEP_ALIVE_TIMEOUT', async () => {
    server = await startTestServer({ env: { ZUPY_KEEP_ALIVE_TIMEOUT: '500ms' } });
    const { socket, state } = await connect(server.url);
    socket.write('GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
    for (let i = 0; i < 50 && !state.received.includes('"ok"'); i++) await sleep(20);
    expect(state.received).toMatch(/^HTTP\/1\.1 200 /);
    const answeredAt = Date.now();
    for (let i = 0; i < 60 && state.closedAt === undefined; i++) await sleep(100);
    expect(state.closedAt).toBeDefined();
    // Node closes it about a second after the timeout (its keep-alive buffer): ~1.5 s here.
    expect(state.closedAt! - answeredAt).toBeLessThan(5000);
  });

  it('holds no more than ZUPY_MAX_CONNECTIONS connections open', async () => {
    server = await startTestServer({ env: { ZUPY_MAX_CONNECTIONS: '2' } });
    expect(server.app.server.maxConnections).toBe(2);
    const first = await connect(server.url);
    const second = await connect(server.url);
    // Wait (bounded) until the server has accepted both before the third one knocks.
    for (let i = 0; i < 50; i++) {
      const count = await new Promise<number>((resolve) =>
        server!.app.server.getConnections((_err, n) => resolve(n)),
      );
      if (count >= 2) break;
      await sleep(20);
    }
    const third = await connect(server.url);
    for (let i = 0; i < 50 && third.state.closedAt === undefined; i++) await sleep(20);
    expect(third.state.closedAt).toBeDefined();
    expect(first.state.closedAt).toBeUndefined();
    expect(second.state.closedAt).toBeUndefined();
  });

  it('on shutdown, closes after ZUPY_SHUTDOWN_GRACE a connection whose client stopped reading', async () => {
    server = await startTestServer({ env: { ZUPY_SHUTDOWN_GRACE: '300ms' } });
    const script = fs.readdirSync(path.join(ADMIN_DIST, 'assets')).find((n) => n.endsWith('.js'));
    expect(script, 'run `npm run build` first').toBeDefined();
    // Five answers of a 100 kB script, none of them read: their connections stay busy.
    const unread: Response[] = [];
    for (let i = 0; i < 5; i++) unread.push(await fetch(`${server.url}/admin/assets/${script}`));
    const closing = Date.now();
    await server.close();
    server = undefined;
    // Closed by the grace (300 ms), not by the default (10 s), and not never.
    expect(Date.now() - closing).toBeLessThan(10_000);
    // Each answer is either whole or fails: a body cut short is never taken for a whole one.
    const size = fs.statSync(path.join(ADMIN_DIST, 'assets', script!)).size;
    for (const body of await Promise.allSettled(unread.map((res) => res.text())))
      if (body.status === 'fulfilled') expect(Buffer.byteLength(body.value)).toBe(size);
  });
});
