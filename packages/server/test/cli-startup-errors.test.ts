import { execFile } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { CLI, startServeProcess } from './helpers/serve-process.js';
import { databaseEnv, freshDatabaseUrl } from './helpers/test-database.js';
import { tempDir } from './helpers/test-server.js';

const run = promisify(execFile);
const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
});

/** Runs the built CLI, expecting it to fail: its exit code and what it wrote to stderr. */
async function failing(env: Record<string, string>, ...args: string[]) {
  try {
    await run(process.execPath, [CLI, ...args], { env: { ...process.env, ...env }, timeout: 30_000 });
  } catch (error) {
    const e = error as { code: number; stderr: string };
    return { code: e.code, stderr: e.stderr };
  }
  throw new Error('the command succeeded');
}

/** One line, no stack trace. */
function oneLine(stderr: string): string {
  const lines = stderr.trim().split('\n');
  expect(lines, stderr).toHaveLength(1);
  expect(stderr).not.toMatch(/\n\s+at /);
  return lines[0]!;
}

describe('startup failures are one line that names the fix, and a non-zero exit', () => {
  it('a busy port', async () => {
    const blocker = net.createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
    const port = (blocker.address() as net.AddressInfo).port;
    const dataDir = tempDir('zupy-busy-');
    dirs.push(dataDir);
    try {
      const { code, stderr } = await failing(
        {
          ...databaseEnv(await freshDatabaseUrl()),
          ZUPY_DATA_DIR: dataDir,
          ZUPY_PORT: String(port),
          ZUPY_LOG_LEVEL: 'silent',
        },
        'serve',
        '--no-worker',
      );
      expect(code).toBe(1);
      expect(oneLine(stderr)).toBe(
        `zupy: port 127.0.0.1:${port} is already in use (another Zupy, or another program, listens there): stop it or set ZUPY_PORT to a free port`,
      );
    } finally {
      blocker.close();
    }
  });

  it('a data directory that cannot be written (SQLite)', async () => {
    // Running as root, permissions do not stop a write: a regular file in the path does.
    const parent = tempDir('zupy-datadir-');
    dirs.push(parent);
    const file = `${parent}/not-a-directory`;
    fs.writeFileSync(file, '');
    const { code, stderr } = await failing(
      { ZUPY_DATABASE_URL: '', ZUPY_DATA_DIR: `${file}/data`, ZUPY_LOG_LEVEL: 'silent' },
      'migrate',
    );
    expect(code).toBe(1);
    expect(oneLine(stderr)).toBe(
      `zupy: cannot write the data directory ${file}/data (ZUPY_DATA_DIR): a part of the path is a file, not a directory (${file}/data): set ZUPY_DATA_DIR to a directory this user can write, or fix its permissions`,
    );
  });

  it('an unreachable PostgreSQL', async () => {
    // A port nothing listens on: bound, then closed.
    const probe = net.createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    const port = (probe.address() as net.AddressInfo).port;
    await new Promise<void>((r) => probe.close(() => r()));
    const dataDir = tempDir('zupy-nopg-');
    dirs.push(dataDir);
    const { code, stderr } = await failing(
      { ZUPY_DATABASE_URL: `postgres://zupy:secret@127.0.0.1:${port}/zupy`, ZUPY_DATA_DIR: dataDir },
      'migrate',
    );
    expect(code).toBe(1);
    const line = oneLine(stderr);
    expect(line).toBe(
      `zupy: cannot reach PostgreSQL at 127.0.0.1:${port} (ZUPY_DATABASE_URL): is it running, and is the host and port right?`,
    );
    expect(line).not.toContain('secret');
  });

  it('warns when private networks are allowed', async () => {
    const dataDir = tempDir('zupy-private-');
    dirs.push(dataDir);
    const env = {
      ...databaseEnv(await freshDatabaseUrl()),
      ZUPY_DATA_DIR: dataDir,
      ZUPY_ALLOW_PRIVATE_NETWORK: '1',
    };
    const serve = await startServeProcess(env, ['serve', '--no-worker']);
    try {
      expect(serve.output()).toContain('Warning    ZUPY_ALLOW_PRIVATE_NETWORK is on');
    } finally {
      serve.child.kill('SIGKILL');
      await serve.exited;
    }
    const quiet = await startServeProcess({ ...env, ZUPY_ALLOW_PRIVATE_NETWORK: '' }, [
      'serve',
      '--no-worker',
    ]);
    try {
      expect(quiet.output()).not.toContain('ZUPY_ALLOW_PRIVATE_NETWORK');
    } finally {
      quiet.child.kill('SIGKILL');
      await quiet.exited;
    }
  });
});
