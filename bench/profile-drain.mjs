// Profiles the SQLite drain alone (not the backlog fill): `node bench/profile-drain.mjs [n] [file]`
// writes a .cpuprofile (open it in Chrome DevTools or speedscope).
import fs from 'node:fs';
import { Session } from 'node:inspector/promises';
import { startReceiver } from './lib.mjs';
import { drainSqlite } from './scenarios.mjs';

const n = Number(process.argv[2] ?? 20_000);
const file = process.argv[3] ?? 'drain.cpuprofile';
const session = new Session();
session.connect();
const receiver = await startReceiver();
try {
  const result = await drainSqlite(receiver, n, {
    beforeDrain: async () => {
      await session.post('Profiler.enable');
      await session.post('Profiler.start');
    },
    afterDrain: async () => {
      const { profile } = await session.post('Profiler.stop');
      fs.writeFileSync(file, JSON.stringify(profile));
    },
  });
  console.log(JSON.stringify(result));
} finally {
  receiver.stop();
}
