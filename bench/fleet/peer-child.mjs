// The process a peer runs in for the fleet (as child.mjs for the peers' comparison): an event route on
// node:http — POST /event with `x-company: c` enqueues one job per endpoint of company c (in bulk, the
// event's body each) and answers 202 {"id"} once the queue has them durably — and the peer's worker
// sending each job to its endpoint. `open(options)` is the peer's (bullmq.mjs, pg-boss.mjs): it returns
// { enqueueMany(jobs: {url, body}[]), startWorker(send(id, url, body) → ok), close() }.
//   argv[2]: JSON { peer: 'bullmq' | 'pg-boss', companies: url[][], redisPort?, pgUrl? }; the bench's CA
//   in NODE_EXTRA_CA_CERTS.
import http from 'node:http';
import { createFleetSender } from './send.mjs';

const options = JSON.parse(process.argv[2]);
const { open } = await import(options.peer === 'bullmq' ? './bullmq.mjs' : './pg-boss.mjs');
const sender = createFleetSender();
const peer = await open(options);
await peer.startWorker(sender.send);
const server = http.createServer((req, res) => {
  const urls = options.companies[Number(req.headers['x-company'])];
  if (req.method !== 'POST' || req.url !== '/event' || !urls) {
    res.writeHead(404).end();
    return;
  }
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    const body = Buffer.concat(chunks).toString();
    peer.enqueueMany(urls.map((url) => ({ url, body }))).then(
      () => {
        res.writeHead(202, { 'content-type': 'application/json' });
        res.end('{"queued":true}');
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
  if (msg === 'stop') {
    server.close();
    server.closeAllConnections();
    await Promise.race([peer.close(), new Promise((r) => setTimeout(r, 5_000))]);
    await sender.close().catch(() => undefined);
    process.send({ stopped: true });
    process.exit(0);
  }
});
process.on('disconnect', () => process.exit(0));
process.send({ port: server.address().port });
