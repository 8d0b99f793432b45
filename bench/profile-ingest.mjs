// Profiles the API taking registrations (`zupy serve --no-worker`):
// `node bench/profile-ingest.mjs [n] [dir]` writes a .cpuprofile into dir (open it in Chrome DevTools
// or speedscope) and prints the ingest figures of that run.
import fs from 'node:fs';
import path from 'node:path';
import { ingest } from './scenarios.mjs';

const n = Number(process.argv[2] ?? 6_000);
const dir = path.resolve(process.argv[3] ?? 'ingest-profile');
fs.mkdirSync(dir, { recursive: true });
const result = await ingest(n, { rounds: 1, nodeArgs: ['--cpu-prof', `--cpu-prof-dir=${dir}`] });
console.log(JSON.stringify(result));
console.log(`profile in ${dir}`);
