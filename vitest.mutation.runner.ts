import { getHooks, setFn } from '@vitest/runner';
import type { File, Suite, Test } from '@vitest/runner';
import { test } from 'vitest';
import { VitestTestRunner } from 'vitest/runners';

/**
 * Stryker's Vitest runner counts only the tests it collects and their own results, so two kinds of
 * mutant would count as survived though they break the tests:
 *
 * - one that makes a test file throw while it loads (a fixture built at the top of the file with the
 *   mutated code): such a file becomes one failing test, named so that Stryker's test name filter
 *   (`testNamePattern`, one alternative per covering test) selects it;
 * - one that makes a `beforeAll` throw (a server started, or a member registered, once for the
 *   file): Vitest then marks the tests skipped, and Stryker looks for the failed suite only among the
 *   `describe` blocks, never the file. Here the hook's error is kept and each test of that suite
 *   fails with it instead.
 */
export default class HookAndImportFailuresFailTests extends VitestTestRunner {
  private readonly beforeAllErrors = new WeakMap<Suite | File, unknown>();

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

  override async onBeforeRunSuite(suite: Suite | File) {
    await super.onBeforeRunSuite(suite);
    const hooks = getHooks(suite);
    hooks.beforeAll = hooks.beforeAll.map((hook) =>
      Object.assign(async (...args: Parameters<typeof hook>) => {
        try {
          return await hook(...args);
        } catch (error) {
          this.beforeAllErrors.set(suite, error);
          return undefined;
        }
      }, hook),
    );
  }

  override async onBeforeRunTask(task: Test) {
    await super.onBeforeRunTask(task);
    for (
      let s: Suite | File | undefined = task.suite ?? task.file;
      s;
      s = s.suite ?? (s === s.file ? undefined : s.file)
    ) {
      if (this.beforeAllErrors.has(s)) {
        const error = this.beforeAllErrors.get(s);
        setFn(task, () => {
          throw error;
        });
        return;
      }
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
