// Profiles the SQLite drain: `node --cpu-prof --cpu-prof-dir=DIR bench/profile-drain.mjs [n]`.
import { startReceiver } from './lib.mjs';
import { drainSqlite } from './scenarios.mjs';

const n = Number(process.argv[2] ?? 20_000);
const receiver = await startReceiver();
try {
  const result = await drainSqlite(receiver, n);
  console.log(JSON.stringify(result));
} finally {
  receiver.stop();
}
