#!/usr/bin/env node
// The `zupy` command. npm links a bin only if its file exists when `npm install` runs, and the CLI
// itself (dist/cli/main.js) exists only after the build: so the link points here, at a file that is
// always there, and this loads the build.
import { existsSync } from 'node:fs';

const main = new URL('../dist/cli/main.js', import.meta.url);
if (!existsSync(main)) {
  process.stderr.write('zupy: not built yet: run `npm run build` (or `npm start`) first\n');
  process.exit(1);
}
await import(main.href);
