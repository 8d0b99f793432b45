import fs from 'node:fs';
import { describe, expect, it } from 'vitest';

const source = fs.readFileSync(new URL('./config.ts', import.meta.url), 'utf8');
const docs = fs.readFileSync(new URL('../../../docs/configuration.md', import.meta.url), 'utf8');

/** Each row of the table in docs/configuration.md: the variables it names, and its default cell. */
function documentedRows(): { names: string[]; defaults: string[] }[] {
  return docs
    .split('\n')
    .filter((line) => line.startsWith('| `ZUPY_'))
    .map((line) => {
      const [variables = '', defaults = ''] = line.split('|').slice(1, 3);
      const ticks = (cell: string) => [...cell.matchAll(/`([^`]+)`/g)].map((m) => m[1]!);
      return { names: ticks(variables), defaults: ticks(defaults) };
    });
}

describe('docs/configuration.md', () => {
  it('documents every variable config.ts reads, and only those', () => {
    const read = new Set([...source.matchAll(/env\.(ZUPY_[A-Z0-9_]+)/g)].map((m) => m[1]!));
    const documented = new Set(documentedRows().flatMap((row) => row.names));
    expect(read.size).toBeGreaterThan(20);
    expect([...documented].sort()).toEqual([...read].sort());
  });

  it('gives each variable the default config.ts falls back to', () => {
    // `env.X ?? '5d'` is a default; `env.X ?? ''` is "unset", documented as such.
    const defaults = new Map(
      [...source.matchAll(/env\.(ZUPY_[A-Z0-9_]+) \?\? '([^']+)'/g)].map((m) => [m[1]!, m[2]!] as const),
    );
    expect(defaults.size).toBeGreaterThan(10);
    for (const row of documentedRows()) {
      row.names.forEach((name, i) => {
        if (defaults.has(name)) expect(row.defaults[i], name).toBe(defaults.get(name));
      });
    }
  });
});
