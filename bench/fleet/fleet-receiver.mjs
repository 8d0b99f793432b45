// The fleet's receiver, in its own process: one server per endpoint (its own port on 127.0.0.1 and
// its own path; half of them HTTPS with the bench's CA), answering as fleet-spec.mjs says. It logs
// every request per endpoint — arrival (epoch ms), member id, status, answer time — and records TLS
// handshakes (when, full or resumed) and connections per endpoint, and the in-flight peak per endpoint
// and in total. Driven over IPC: 'report' sends the log, 'reset' clears it, 'stop' exits.
//   argv[2]: JSON { n, seed, key, cert, uniformMs? } (key/cert: PEM paths for the HTTPS endpoints;
//   uniformMs: every endpoint healthy, answering 200 after exactly that long — the in-flight scenario).
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import { fleetSpec, lognormal, prng, LIMITED_IN_FLIGHT } from './fleet-spec.mjs';

const options = JSON.parse(process.argv[2]);
const spec = fleetSpec(options.n, options.seed).map((e) =>
  options.uniformMs ? { ...e, kind: 'healthy', tls: e.index % 2 === 1 } : e,
);
const random = prng(options.seed ^ 0x5eed);
const tlsOptions = { key: fs.readFileSync(options.key), cert: fs.readFileSync(options.cert) };
const MEMBER = /"member_id":"(ZP-[0-9A-F]{8})"/;

let totalInFlight = 0;
let totalPeak = 0;
// handshakes: [epoch ms, resumed 0/1] per TLS connection.
const fresh = () => ({ log: [], inFlight: 0, peak: 0, connections: 0, handshakes: [] });
const state = spec.map(fresh);
// Hung requests, so a stop can end them.
const hung = new Set();

function handle(endpoint, req, res) {
  const s = state[endpoint.index];
  s.inFlight++;
  s.peak = Math.max(s.peak, s.inFlight);
  totalInFlight++;
  totalPeak = Math.max(totalPeak, totalInFlight);
  let open = true;
  const done = () => {
    if (!open) return;
    open = false;
    s.inFlight--;
    totalInFlight--;
  };
  res.on('close', done);
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    const at = performance.timeOrigin + performance.now();
    const member = MEMBER.exec(Buffer.concat(chunks).toString())?.[1] ?? null;
    const entry = [Math.round(at), member, 0, 0];
    // Only the current log takes the entry: a request from before a reset is not counted.
    const log = s.log;
    const answer = (status, ms) => {
      entry[2] = status;
      entry[3] = Math.round(ms);
      log.push(entry);
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(status < 300 ? '{"received":true}' : '{"error":"bench"}');
    };
    if (req.url !== endpoint.path) return answer(404, 0);
    if (endpoint.kind === 'hang') {
      log.push(entry); // status 0: never answered
      hung.add(res);
      res.on('close', () => hung.delete(res));
      return;
    }
    if (endpoint.kind === 'limited' && s.inFlight > LIMITED_IN_FLIGHT) return answer(429, 0);
    const ms = options.uniformMs ?? lognormal(random, endpoint.medianMs);
    const status = endpoint.kind === 'flaky' && random() < 0.5 ? 500 : 200;
    setTimeout(() => answer(status, ms), ms);
  });
}

const servers = spec.map((endpoint) => {
  const onRequest = (req, res) => handle(endpoint, req, res);
  const server = endpoint.tls ? https.createServer(tlsOptions, onRequest) : http.createServer(onRequest);
  server.keepAliveTimeout = 120_000;
  server.headersTimeout = 130_000;
  server.requestTimeout = 0;
  server.on('connection', () => state[endpoint.index].connections++);
  if (endpoint.tls)
    server.on('secureConnection', (socket) => {
      state[endpoint.index].handshakes.push([Date.now(), socket.isSessionReused() ? 1 : 0]);
    });
  return server;
});
await Promise.all(servers.map((server) => new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))));
const endpoints = spec.map((endpoint, i) => ({
  ...endpoint,
  url: `${endpoint.tls ? 'https' : 'http'}://127.0.0.1:${servers[i].address().port}${endpoint.path}`,
}));

process.on('message', (msg) => {
  if (msg === 'ok-count')
    process.send({ ok: state.reduce((n, s) => n + s.log.filter((e) => e[2] === 200).length, 0) });
  if (msg === 'count') {
    let healthyOk = 0;
    for (const endpoint of spec)
      if (endpoint.kind === 'healthy')
        healthyOk += state[endpoint.index].log.filter((e) => e[2] === 200).length;
    process.send({ healthyOk });
  }
  if (msg === 'report') {
    process.send({
      totalPeak,
      endpoints: state.map((s, i) => ({
        index: i,
        log: s.log,
        peak: s.peak,
        connections: s.connections,
        handshakes: s.handshakes,
      })),
    });
  }
  if (msg === 'reset') {
    // In-flight counts stay (requests still open are real), peaks restart from them.
    for (const s of state) Object.assign(s, { ...fresh(), inFlight: s.inFlight, peak: s.inFlight });
    totalPeak = totalInFlight;
    process.send({ ok: true });
  }
  if (msg === 'drop-hung') {
    for (const res of hung) res.destroy();
    process.send({ ok: true });
  }
});
process.on('disconnect', () => process.exit(0));
process.send({ endpoints });
