import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { VERSION } from '../src/version.js';
import { tempDir } from './helpers/test-server.js';

const run = promisify(execFile);
const SERVER = fileURLToPath(new URL('..', import.meta.url));
const manifest = JSON.parse(fs.readFileSync(path.join(SERVER, 'package.json'), 'utf8')) as {
  bin: Record<string, string>;
  files: string[];
};

describe('the zupy bin that npm links', () => {
  it('is a committed file, not a build output: npm links only bins that exist at install time', () => {
    const bin = manifest.bin.zupy!;
    expect(bin.startsWith('./dist/')).toBe(false);
    expect(fs.existsSync(path.join(SERVER, bin))).toBe(true);
    expect(manifest.files).toContain(bin.replace(/^\.\//, '').split('/')[0]);
  });

  it('runs the built CLI', async () => {
    const { stdout } = await run(process.execPath, [path.join(SERVER, manifest.bin.zupy!), '--version']);
    expect(stdout.trim()).toBe(VERSION);
  });

  it('says to build first when the build is missing', async () => {
    const copy = path.join(tempDir(), 'bin');
    fs.mkdirSync(copy);
    fs.copyFileSync(path.join(SERVER, manifest.bin.zupy!), path.join(copy, 'zupy.js'));
    const failed = await run(process.execPath, [path.join(copy, 'zupy.js'), '--version']).catch(
      (error: { code: number; stderr: string }) => error,
    );
    expect(failed).toMatchObject({ code: 1, stderr: expect.stringContaining('npm run build') as unknown });
  });
});
