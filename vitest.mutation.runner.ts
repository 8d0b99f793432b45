import { test } from 'vitest';
import { VitestTestRunner } from 'vitest/runners';

/**
 * Stryker's Vitest runner counts only the tests it collects, so a mutant that makes a test file
 * throw while it loads (a fixture built at the top of the file with the mutated code) would count
 * as survived. This runner turns such a file into one failing test, named so that Stryker's test
 * name filter (`testNamePattern`, one alternative per covering test) selects it.
 */
export default class FailedImportIsAFailingTest extends VitestTestRunner {
  override async importFile(filepath: string, source: Parameters<VitestTestRunner['importFile']>[1]) {
    try {
      return await super.importFile(filepath, source);
    } catch (error) {
      if (source !== 'collect') throw error;
      test(nameMatching(this.config.testNamePattern), () => {
        throw error;
      });
      return undefined;
    }
  }
}

/** A literal that `pattern` (an alternation of escaped test names) matches: its first alternative. */
function nameMatching(pattern: RegExp | string | undefined): string {
  if (pattern === undefined) return 'the test file loads';
  const source = typeof pattern === 'string' ? pattern : pattern.source;
  const first = source.split(/(?<!\\)\|/)[0] ?? '';
  return first.replace(/\\(.)/g, '$1');
}
