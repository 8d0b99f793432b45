// The process a peer runs in (as `zupy serve` runs Zupy's): an enqueue route on node:http
// (POST /enqueue, answered 202 {"id"} once the queue has the job durably) and, when told, the
// peer's worker sending to the receiver. Driven over IPC by peer-scenarios.mjs:
//   {fill: {from, n}} enqueues n bodies in bulk (the drain's backlog), 'work' starts the worker,
//   'stop' closes everything and exits.
import http from 'node:http';
import { createSender } from './send.mjs';
import { memberBody } from './load.mjs';

/**
 * `open(options)` returns the peer: `{ enqueue(body) → id, enqueueMany(bodies), startWorker(send),
 * close() }`. `options` is the JSON the parent passed as argv[2] (receiverUrl, and the peer's
 * database: redisPort, pgUrl or dir).
 */
export async function runPeer(open) {
  const options = JSON.parse(process.argv[2]);
  const sender = createSender(options.receiverUrl);
  const peer = await open(options);
  const server = http.createServer((req, res) => {
    if (req.method !== 'POST' || req.url !== '/enqueue') {
      res.writeHead(404).end();
      return;
    }
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      peer.enqueue(Buffer.concat(chunks).toString()).then(
        (id) => {
          res.writeHead(202, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ id: String(id) }));
        },
        (err) => {
          res.writeHead(503, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ error: String(err) }));
        },
      );
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  process.on('message', async (msg) => {
    if (msg.fill) {
      const { from, n } = msg.fill;
      for (let start = 0; start < n; start += 1000) {
        const size = Math.min(1000, n - start);
        await peer.enqueueMany(Array.from({ length: size }, (_, i) => memberBody(from + start + i)));
      }
      process.send({ filled: n });
    } else if (msg === 'work') {
      await peer.startWorker(sender.send);
      process.send({ working: true });
    } else if (msg === 'stop') {
      server.close();
      server.closeAllConnections();
      await peer.close();
      await sender.close();
      process.send({ stopped: true });
      process.exit(0);
    }
  });
  process.on('disconnect', () => process.exit(0));
  process.send({ port: server.address().port });
}
