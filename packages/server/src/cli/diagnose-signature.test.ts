import { createHmac } from 'node:crypto';
import {
  generateSecret,
  sampleEvent,
  serializeEvent,
  signStandardWebhook,
  signZupySignature,
} from '@zupy/webhooks';
import { describe, expect, it } from 'vitest';
import { REPLAYABLE_NOTE, diagnoseSignature, type DiagnoseInput } from './diagnose-signature.js';

const secret = generateSecret();
const body = serializeEvent({
  ...sampleEvent('customer.registered'),
  customer: { ...sampleEvent('customer.registered').customer, name: 'João Ação' },
});
const now = 1_756_222_200;

function run(overrides: Partial<DiagnoseInput>) {
  return diagnoseSignature({
    body: Buffer.from(body),
    signature: signZupySignature(secret, body),
    secret,
    now,
    toleranceSeconds: 300,
    ...overrides,
  });
}

describe('zupy verify diagnoses', () => {
  it('a matching X-Zupy-Signature and webhook-signature', () => {
    expect(run({})).toEqual({ ok: true, scheme: 'zupy-signature', findings: [REPLAYABLE_NOTE] });
    const sig = signStandardWebhook(secret, 'evt_1', now, body);
    expect(run({ signature: `v1,garbage ${sig}`, id: 'evt_1', timestamp: now })).toEqual({
      ok: true,
      scheme: 'standard-webhooks',
      findings: [],
    });
  });

  it('a trailing newline in the body file', () => {
    const result = run({ body: Buffer.from(body + '\n') });
    expect(result.ok).toBe(false);
    expect(result.findings.join()).toContain('newline');
  });

  it('a re-serialized body (pretty-printed, reordered)', () => {
    const pretty = JSON.stringify(JSON.parse(body), null, 2);
    expect(run({ body: Buffer.from(pretty) }).findings.join()).toContain('re-serialized');
    const parsed = JSON.parse(body) as Record<string, unknown>;
    const reordered = JSON.stringify(Object.fromEntries(Object.entries(parsed).reverse()));
    expect(run({ body: Buffer.from(reordered) }).findings.join()).toContain('re-serialized');
  });

  it('unicode escaped by the receiver', () => {
    const escaped = body.replace(
      /[\u007f-\uffff]/g,
      (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
    );
    expect(escaped).toContain('\\u00e3');
    expect(run({ body: Buffer.from(escaped) }).findings.join()).toContain('escaped');
  });

  it('the secret given without whsec_, or signed without it, or with the decoded bytes', () => {
    expect(run({ secret: secret.slice(6) }).findings.join()).toContain('without its whsec_ prefix');
    const noPrefix = 'sha256=' + createHmac('sha256', secret.slice(6)).update(body).digest('hex');
    expect(run({ signature: noPrefix }).findings.join()).toContain('minus its whsec_ prefix');
    const decoded =
      'sha256=' +
      createHmac('sha256', Buffer.from(secret.slice(6), 'base64'))
        .update(body)
        .digest('hex');
    expect(run({ signature: decoded }).findings.join()).toContain('base64-decoded secret');
    const rawKeyStandard =
      'v1,' + createHmac('sha256', secret).update(`evt_1.${now}.${body}`).digest('base64');
    expect(run({ signature: rawKeyStandard, id: 'evt_1', timestamp: now }).findings.join()).toContain(
      'base64-DECODED',
    );
  });

  it('a timestamp outside the tolerance', () => {
    const old = now - 3600;
    const result = run({
      signature: signStandardWebhook(secret, 'evt_1', old, body),
      id: 'evt_1',
      timestamp: old,
    });
    expect(result.ok).toBe(false);
    expect(result.findings.join()).toContain('3600 s old');
  });

  it('a header from another event, and a wrong secret', () => {
    const other = serializeEvent(sampleEvent('tier.upgraded'));
    const result = run({ signature: signZupySignature(secret, other), eventHeader: 'tier.upgraded' });
    expect(result.ok).toBe(false);
    expect(result.findings.join()).toContain('the header comes from another delivery');
    expect(run({ secret: generateSecret() }).findings.join()).toContain('the secret is wrong');
  });

  it('asks for the id and timestamp of a webhook-signature', () => {
    expect(run({ signature: 'v1,abc' }).findings.join()).toContain('--id');
  });

  it('a body that is not JSON', () => {
    expect(run({ body: Buffer.from('hello') }).findings.join()).toContain('not JSON');
  });
});
