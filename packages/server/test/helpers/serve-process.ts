import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

export const CLI = fileURLToPath(new URL('../../dist/cli/main.js', import.meta.url));

export interface ServeProcess {
  child: ChildProcess;
  url: string;
  output: () => string;
  /** Resolves with the exit code or signal. */
  exited: Promise<number | string | null>;
}

/** Runs the built CLI once and returns its stdout. */
export async function runCli(env: Record<string, string>, ...args: string[]): Promise<string> {
  const { stdout } = await promisify(execFile)(process.execPath, [CLI, ...args], {
    env: { ...process.env, ...env },
  });
  return stdout;
}

/** Starts `zupy serve` (or another long-running command) as a real process and waits for its URL. */
export async function startServeProcess(
  env: Record<string, string>,
  args: string[] = ['serve'],
): Promise<ServeProcess> {
  const child = spawn(process.execPath, [CLI, ...args], {
    env: { ...process.env, ZUPY_PORT: '0', ZUPY_LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr.on('data', (c: Buffer) => (output += c.toString()));
  const exited = new Promise<number | string | null>((resolve) =>
    child.on('exit', (code, signal) => resolve(code ?? signal)),
  );
  const deadline = Date.now() + 20_000;
  for (;;) {
    const match = /API\s+(http:\/\/[^\s]+)\/api\/v2\//.exec(output);
    if (match) return { child, url: match[1]!, output: () => output, exited };
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`zupy did not start:\n${output}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
