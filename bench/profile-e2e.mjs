// Profiles `zupy serve` (API and worker in one process) through the end-to-end scenario:
// `node bench/profile-e2e.mjs [dir]` writes a .cpuprofile into dir (open it in Chrome DevTools or
// speedscope) and prints the end-to-end figures of that run (slower than unprofiled).
import fs from 'node:fs';
import path from 'node:path';
import { ceiling, endToEnd } from './scenarios.mjs';
import { startReceiver } from './lib.mjs';

const dir = path.resolve(process.argv[2] ?? 'e2e-profile');
fs.mkdirSync(dir, { recursive: true });
const receiver = await startReceiver();
const recording = await startReceiver(['--record']);
try {
  const top = await ceiling(receiver, 2);
  const result = await endToEnd(recording, top.per_second, {
    nodeArgs: ['--cpu-prof', `--cpu-prof-dir=${dir}`],
  });
  console.log(JSON.stringify(result));
  console.log(`profile in ${dir}`);
} finally {
  receiver.stop();
  recording.stop();
}
