// A benchmark receiver in its own process: answers 200 at once (or never, with --hang; or 500 to
// every other request, with --flaky; or after N ms, with --delay=N), counts what arrives and how many
// requests are open, and on request reports arrival times by member id (for end-to-end latency).
import http from 'node:http';

const hang = process.argv.includes('--hang');
const flaky = process.argv.includes('--flaky');
const delayMs = Number(process.argv.find((a) => a.startsWith('--delay='))?.slice(8) ?? 0);
let count = 0;
// Requests whose answer is not sent yet, and the most at once since the last reset.
let open = 0;
let mostOpen = 0;
// When the first and the latest request since the last reset arrived (ms since the epoch).
let firstAt = null;
let lastAt = null;
const arrivals = new Map();
const server = http.createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    count++;
    lastAt = performance.timeOrigin + performance.now();
    firstAt ??= lastAt;
    if (process.argv.includes('--record')) {
      const at = performance.timeOrigin + performance.now();
      const match = /"member_id":"(ZP-[0-9A-F]{8})"/.exec(Buffer.concat(chunks).toString());
      if (match && !arrivals.has(match[1])) arrivals.set(match[1], at);
    }
    if (hang) return;
    const status = flaky && count % 2 === 0 ? 500 : 200;
    const answer = () => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end('{"received":true}');
    };
    if (delayMs === 0) return answer();
    open++;
    mostOpen = Math.max(mostOpen, open);
    setTimeout(() => {
      open--;
      answer();
    }, delayMs);
  });
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => process.send({ port: server.address().port }));
process.on('message', (msg) => {
  if (msg === 'count') process.send({ count });
  if (msg === 'open') process.send({ open, mostOpen });
  if (msg === 'span') process.send({ count, firstAt, lastAt });
  if (msg === 'arrivals') process.send({ arrivals: Object.fromEntries(arrivals) });
  if (msg === 'reset') {
    count = 0;
    mostOpen = open;
    firstAt = lastAt = null;
    arrivals.clear();
    process.send({ ok: true });
  }
});
process.on('disconnect', () => process.exit(0));
