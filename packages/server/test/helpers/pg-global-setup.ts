import type { TestProject } from 'vitest/node';
import { startPgProcess } from './pg-process.mjs';

declare module 'vitest' {
  export interface ProvidedContext {
    pgAdminUrl: string;
  }
}

/** Starts one real PostgreSQL for the run; each test server gets its own database in it. */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const pg = await startPgProcess();
  project.provide('pgAdminUrl', pg.url);
  return () => pg.stop();
}
