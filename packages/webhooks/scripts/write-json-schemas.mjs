// Writes schemas/<event>.schema.json from the built package (`npm run build` first; `npm run schemas`
// also formats them). The published JSON Schemas are generated from the same definitions as
// parseEvent, and test/json-schemas.test.ts fails when these files are stale.
import { mkdirSync, writeFileSync } from 'node:fs';
import { EVENT_TYPES, eventJsonSchema } from '../dist/index.js';

const dir = new URL('../schemas/', import.meta.url);
mkdirSync(dir, { recursive: true });
for (const type of EVENT_TYPES) {
  writeFileSync(new URL(`${type}.schema.json`, dir), JSON.stringify(eventJsonSchema(type), null, 2) + '\n');
}
