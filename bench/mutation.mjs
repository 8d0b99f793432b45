// `npm run mutation [-- <module>...]`: StrykerJS over the core modules (bench/mutation-modules.mjs),
// one Stryker run per module with only that module's test files. Incremental: a module whose sources
// and tests did not change since its last run reuses its results (reports/mutation/<module>/incremental.json,
// not committed); `--force` runs every mutant again. Prints one line per module and writes the
// per-module reports (HTML and JSON) under reports/mutation/. Not part of `npm test` or CI.
// MUTATION_CONCURRENCY (default 2) sets the number of test-runner processes per module.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { MODULES } from './mutation-modules.mjs';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const args = process.argv.slice(2);
const force = args.includes('--force');
/** `--report`: no run, only the table (and survivors.txt) from the reports already there. */
const reportOnly = args.includes('--report');
const names = args.filter((a) => !a.startsWith('--'));
const unknown = names.filter((n) => !MODULES.some((m) => m.name === n));
if (unknown.length > 0) {
  console.error(
    `unknown module ${unknown.join(', ')}; the modules are: ${MODULES.map((m) => m.name).join(', ')}`,
  );
  process.exit(2);
}
const chosen = names.length === 0 ? MODULES : MODULES.filter((m) => names.includes(m.name));
const concurrency = Number(process.env.MUTATION_CONCURRENCY ?? 2);

/** The Stryker options of one module's run. */
function strykerConfig(module) {
  const dir = `reports/mutation/${module.name}`;
  return {
    $schema: '../../../node_modules/@stryker-mutator/core/schema/stryker-schema.json',
    testRunner: 'vitest',
    vitest: { configFile: 'vitest.mutation.config.ts', related: false },
    // perTest: a mutant runs only the tests that execute it. The Vitest runner reports coverage per
    // test whatever this says ('all' and 'off' run the same tests), so a module whose tests check what
    // another test did runs that action in a beforeAll (erasure): code run outside any test is
    // "static" coverage, and Stryker then runs every test of the module for its mutants.
    coverageAnalysis: 'perTest',
    mutate: module.mutate,
    incremental: true,
    incrementalFile: `${dir}/incremental.json`,
    force,
    concurrency,
    timeoutMS: 10_000,
    // One temp dir per module, so runs of two modules at once do not clean up each other's sandbox.
    tempDirName: `.stryker-tmp/${module.name}`,
    cleanTempDir: 'always',
    reporters: ['clear-text', 'progress-append-only', 'json', 'html'],
    clearTextReporter: { allowColor: false, logTests: false, reportScoreTable: true },
    jsonReporter: { fileName: `${dir}/mutation.json` },
    htmlReporter: { fileName: `${dir}/mutation.html` },
    thresholds: { high: 90, low: 80, break: null },
    // Only what the tests read is copied to the sandbox.
    ignorePatterns: [
      '/.stryker-tmp',
      '/bench',
      '/docs',
      '/packages/admin',
      '/coverage',
      '/test-output',
      '/.ci',
    ],
  };
}

const rows = [];
for (const module of chosen) {
  const dir = path.join(ROOT, 'reports/mutation', module.name);
  fs.mkdirSync(dir, { recursive: true });
  const configFile = path.join(dir, 'stryker.config.json');
  if (!reportOnly) fs.writeFileSync(configFile, JSON.stringify(strykerConfig(module), null, 2));
  console.error(`[mutation] ${module.name}: ${module.what}`);
  const started = Date.now();
  const env = { ...process.env };
  delete env.ZUPY_TEST_DB;
  env.ZUPY_MUTATION_TESTS = module.tests.join(',');
  const run = reportOnly
    ? { status: 0 }
    : spawnSync(
        process.execPath,
        [path.join(ROOT, 'node_modules/@stryker-mutator/core/bin/stryker.js'), 'run', configFile],
        { cwd: ROOT, stdio: 'inherit', env },
      );
  const seconds = Math.round((Date.now() - started) / 1000);
  const inScope = scopeOf(module);
  rows.push({
    module: module.name,
    seconds,
    ...scoreOf(path.join(dir, 'mutation.json'), inScope),
    exit: run.status,
  });
  listSurvivors(path.join(dir, 'mutation.json'), path.join(dir, 'survivors.txt'), inScope);
}

/**
 * Whether a mutant is in the module's `mutate` list: a report carried over by the incremental file
 * keeps the mutants of lines a module no longer mutates (`file.ts:52-91` ranges).
 */
function scopeOf(module) {
  const entries = module.mutate.map((entry) => {
    const [, file, from, to] = /^(.*?)(?::(\d+)-(\d+))?$/.exec(entry);
    return { file: path.resolve(ROOT, file), from: Number(from ?? 0), to: Number(to ?? Infinity) };
  });
  return (file, mutant) => {
    const line = mutant.location.start.line;
    const abs = path.resolve(ROOT, file);
    return entries.some((e) => {
      const matches = e.file.includes('*') ? path.dirname(abs) === path.dirname(e.file) : abs === e.file;
      return matches && line >= e.from && line <= e.to;
    });
  };
}

/** Every mutant no test caught, one a line with its place, mutator, replacement and the line it changes. */
function listSurvivors(reportFile, outFile, inScope) {
  if (!fs.existsSync(reportFile)) return;
  const report = JSON.parse(fs.readFileSync(reportFile, 'utf8'));
  const lines = [];
  for (const [file, { source, mutants }] of Object.entries(report.files)) {
    const code = source.split('\n');
    for (const m of mutants) {
      if (!inScope(file, m) || (m.status !== 'Survived' && m.status !== 'NoCoverage')) continue;
      const at = `${path.relative(ROOT, path.resolve(ROOT, file))}:${m.location.start.line}:${m.location.start.column}`;
      const line = code[m.location.start.line - 1]?.trim() ?? '';
      lines.push(`${m.status} ${at} ${m.mutatorName} ${JSON.stringify(m.replacement ?? '')} | ${line}`);
    }
  }
  fs.writeFileSync(outFile, lines.join('\n') + '\n');
}

/** Killed, survived, no coverage, timed out and the score (equivalent mutants not yet excluded). */
function scoreOf(reportFile, inScope) {
  if (!fs.existsSync(reportFile)) return {};
  const report = JSON.parse(fs.readFileSync(reportFile, 'utf8'));
  const count = {};
  for (const [name, file] of Object.entries(report.files))
    for (const m of file.mutants) if (inScope(name, m)) count[m.status] = (count[m.status] ?? 0) + 1;
  const detected = (count.Killed ?? 0) + (count.Timeout ?? 0);
  const valid = detected + (count.Survived ?? 0) + (count.NoCoverage ?? 0);
  return {
    killed: count.Killed ?? 0,
    timeout: count.Timeout ?? 0,
    survived: count.Survived ?? 0,
    no_coverage: count.NoCoverage ?? 0,
    errors: (count.CompileError ?? 0) + (count.RuntimeError ?? 0),
    ignored: count.Ignored ?? 0,
    score: valid === 0 ? null : Math.round((detected / valid) * 1000) / 10,
  };
}

console.log('\nmodule           score  killed timeout survived no-cov  errors  seconds');
for (const r of rows) {
  const cells = [r.score ?? '-', r.killed, r.timeout, r.survived, r.no_coverage, r.errors, r.seconds];
  console.log(`${r.module.padEnd(16)} ${cells.map((c) => String(c ?? '-').padStart(6)).join('  ')}`);
}
process.exit(rows.some((r) => r.exit !== 0) ? 1 : 0);
