import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { serializeEvent } from '../src/event-schemas.js';
import { generateSecret } from '../src/generate-secret.js';
import { sampleEvent } from '../src/samples.js';
import { signatureHeaders } from '../src/sign.js';

/** Runs an example as a real process (against the built package) and sends it one signed event. */
async function runExample(file: string, event: 'customer.registered' | 'tier.upgraded', path: string) {
  const secret = generateSecret();
  const port = 20_000 + Math.floor(Math.random() * 20_000);
  const child = spawn(process.execPath, [fileURLToPath(new URL(`../examples/${file}`, import.meta.url))], {
    env: { ...process.env, ZUPY_WEBHOOK_SECRET: secret, PORT: String(port) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr.on('data', (c: Buffer) => (output += c.toString()));
  try {
    for (let i = 0; !output.includes('listening'); i++) {
      if (i > 200) throw new Error(`example did not start: ${output}`);
      await new Promise((r) => setTimeout(r, 25));
    }
    const body = serializeEvent(sampleEvent(event));
    const res = await fetch(`http://127.0.0.1:${port}${path}`, {
      method: 'POST',
      body,
      headers: {
        'content-type': 'application/json',
        ...signatureHeaders({
          secrets: [secret],
          eventId: 'evt_example',
          timestamp: Math.floor(Date.now() / 1000),
          body,
        }),
      },
    });
    return { status: res.status, output };
  } finally {
    child.kill();
  }
}

describe('the examples run and handle a signed event', () => {
  it('crm-sync.mjs creates a CRM contact from customer.registered', async () => {
    const { status, output } = await runExample('crm-sync.mjs', 'customer.registered', '/');
    expect(status).toBe(200);
    expect(output).toContain('"loyaltyId":"ZP-8B23CD41"');
    expect(output).toContain('"firstName":"João"');
  });

  it('tier-upgrade.mjs congratulates on tier.upgraded', async () => {
    const { status, output } = await runExample('tier-upgrade.mjs', 'tier.upgraded', '/webhooks/zupy');
    expect(status).toBe(200);
    expect(output).toContain('Você subiu para SILVER');
    expect(output).toContain('Faltam 2500 para gold');
  });
});

describe('the CommonJS build', () => {
  it('loads with require() and verifies what the ESM build signs', async () => {
    const secret = generateSecret();
    const body = serializeEvent(sampleEvent('customer.registered'));
    const headers = signatureHeaders({
      secrets: [secret],
      eventId: 'evt_cjs',
      timestamp: Math.floor(Date.now() / 1000),
      body,
    });
    const script = `
      const { verifySignature, parseEvent } = require('@zupy/webhooks');
      const { createNodeListener } = require('@zupy/webhooks/node');
      const input = JSON.parse(require('node:fs').readFileSync(0, 'utf8'));
      const verified = verifySignature({ body: input.body, headers: input.headers, secret: input.secret });
      console.log(JSON.stringify({ scheme: verified.scheme, member: parseEvent(input.body).customer.member_id, node: typeof createNodeListener }));
    `;
    const child = spawn(process.execPath, ['--input-type=commonjs', '-e', script], {
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    child.stdin.end(JSON.stringify({ body, headers, secret }));
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    await new Promise((r) => child.on('exit', r));
    expect(JSON.parse(out)).toEqual({ scheme: 'standard-webhooks', member: 'ZP-8B23CD41', node: 'function' });
  });
});
