// PostgreSQL beside SQLite in one run, and this build beside another (`--base path/to/dist/cli/main.js`):
// ingest (interleaved rounds), end to end and latency at 200 and 500/s, the drain with one worker.
// `node bench/compare-pg.mjs [--base cli] [--n 3000]`; prints one JSON line per figure.
import { parseArgs } from 'node:util';
import { CLI, startPostgres, startReceiver } from './lib.mjs';
import { ceiling, drainPostgres, drainSqlite, endToEnd, ingest } from './scenarios.mjs';

const { values: args } = parseArgs({
  options: { base: { type: 'string' }, n: { type: 'string', default: '3000' } },
});
const n = Number(args.n);
const builds = args.base ? { base: args.base, new: CLI } : { new: CLI };
const out = (figure, value) => console.log(JSON.stringify({ figure, ...value }));
const pg = await startPostgres();
const receiver = await startReceiver();
const recording = await startReceiver(['--record']);
try {
  const c = (await ceiling(receiver, 3)).per_second;
  out('ceiling', { per_second: c });
  for (const [name, cli] of Object.entries(builds))
    out(`ingest ${name}`, await ingest(n, { rounds: 4, pgAdminUrl: pg.url, cli }));
  for (const [name, cli] of Object.entries(builds)) {
    const sqlite = await endToEnd(recording, c, { rates: [200, 500], cli });
    const postgres = await endToEnd(recording, c, { pgAdminUrl: pg.url, rates: [200, 500], cli });
    out(`e2e ${name}`, {
      sqlite,
      postgres,
      ratio: postgres.end_to_end.per_second / sqlite.end_to_end.per_second,
    });
  }
  const sqliteDrain = await drainSqlite(receiver, 10_000);
  const pgDrain = await drainPostgres(receiver, pg.url, 10_000, 1);
  out('drain new', {
    sqlite: sqliteDrain,
    postgres: pgDrain,
    ratio: pgDrain.per_second / sqliteDrain.per_second,
  });
} finally {
  receiver.stop();
  recording.stop();
  await pg.stop();
}
process.exit(0);
