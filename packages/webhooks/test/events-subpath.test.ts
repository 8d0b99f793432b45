import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import * as events from '../src/events.js';

const PACKAGE = fileURLToPath(new URL('../', import.meta.url));
const manifest = JSON.parse(readFileSync(path.join(PACKAGE, 'package.json'), 'utf8')) as {
  exports: Record<
    string,
    { import: { types: string; default: string }; require: { types: string; default: string } }
  >;
};
const requireHere = createRequire(import.meta.url);

/**
 * Every module a built file loads, and every file it reaches through relative imports: static and
 * dynamic imports, re-exports and `require()`, read by TypeScript's own scanner (comments ignored).
 */
function reachable(entry: string): { files: string[]; external: string[] } {
  const files: string[] = [];
  const external = new Set<string>();
  const visit = (file: string) => {
    if (files.includes(file)) return;
    files.push(file);
    const { importedFiles } = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
    for (const { fileName } of importedFiles) {
      if (fileName.startsWith('.')) visit(path.resolve(path.dirname(file), fileName));
      else external.add(fileName);
    }
  };
  visit(entry);
  return { files: files.map((f) => path.relative(PACKAGE, f)), external: [...external].sort() };
}

const built = (target: string) => {
  const file = path.join(PACKAGE, target);
  expect(existsSync(file), `${target} missing: run \`npm run build -w @zupy/webhooks\` first`).toBe(true);
  return file;
};

describe('@zupy/webhooks/events, the subpath a browser can load', () => {
  it('maps ESM and CommonJS, each with its types, like the other subpaths', () => {
    expect(manifest.exports['./events']).toEqual({
      import: { types: './dist/events.d.ts', default: './dist/events.js' },
      require: { types: './dist/cjs/events.d.ts', default: './dist/cjs/events.js' },
    });
    for (const target of Object.values(manifest.exports['./events']!).flatMap((c) => [c.types, c.default])) {
      built(target);
    }
    // Node resolves the name through the exports map.
    expect(requireHere.resolve('@zupy/webhooks/events')).toBe(
      built(manifest.exports['./events']!.require.default),
    );
  });

  it('loads no node: module, nor any other package, in its ESM build and everything it imports', () => {
    const esm = reachable(built(manifest.exports['./events']!.import.default));
    expect(esm.external).toEqual([]);
    expect(esm.files).toEqual(['dist/events.js']);
  });

  it('loads no node: module, nor any other package, in its CommonJS build and everything it requires', () => {
    const cjs = reachable(built(manifest.exports['./events']!.require.default));
    expect(cjs.external).toEqual([]);
    expect(cjs.files).toEqual(['dist/cjs/events.js']);
  });

  it('the check sees node: imports where there are some: the package root loads node:crypto', () => {
    const root = reachable(built(manifest.exports['.']!.import.default));
    expect(root.external).toContain('node:crypto');
    expect(root.files).toContain('dist/events.js');
    expect(reachable(built(manifest.exports['.']!.require.default)).external).toContain('node:crypto');
  });

  it('gives, built, the same names and guards as the package root', async () => {
    const esm = (await import(
      pathToFileURL(built(manifest.exports['./events']!.import.default)).href
    )) as typeof events;
    const cjs = requireHere('@zupy/webhooks/events') as typeof events;
    const root = requireHere('@zupy/webhooks') as typeof events;
    for (const loaded of [esm, cjs]) {
      expect(Object.keys(loaded).sort()).toEqual(Object.keys(events).sort());
      for (const name of [
        'CUSTOMER_EVENT_TYPES',
        'OPERATIONAL_EVENT_TYPES',
        'EVENT_TYPES',
        'DISABLE_REASON_CODES',
        'TIER_NAMES',
        'QUALIFICATION_METRICS',
      ] as const) {
        expect(loaded[name]).toEqual(events[name]);
        expect(root[name]).toEqual(events[name]);
      }
      expect(loaded.isEventType('delivery.failed')).toBe(true);
      expect(loaded.isEventType('delivery.succeeded')).toBe(false);
      expect(loaded.isOperationalEventType('customer.registered')).toBe(false);
    }
  });
});
