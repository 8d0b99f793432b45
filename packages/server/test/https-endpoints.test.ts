import fs from 'node:fs';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { TLSSocket } from 'node:tls';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import { ConfigError } from '../src/errors.js';
import { createPrivateCa } from './helpers/private-ca.js';
import { startTestServer, tempDir, type TestServer } from './helpers/test-server.js';
import { waitUntil } from './helpers/wait-until.js';

/**
 * HTTPS endpoints behind a private CA: certificates are always verified, `ZUPY_EXTRA_CA_FILE` adds
 * the CA, connections are kept alive per origin within the endpoint's limit, and TLS sessions resume.
 */
const dir = tempDir('zupy-ca-');
const ca = createPrivateCa(dir);
const local = ca.issue('receiver', 'IP:127.0.0.1');
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

let server: TestServer | undefined;
let receiver: https.Server | undefined;
afterEach(async () => {
  receiver?.closeAllConnections();
  await new Promise((r) => (receiver ? receiver.close(r) : r(undefined)));
  receiver = undefined;
  await server?.close();
  server = undefined;
});

/** A TLS receiver on 127.0.0.1 that counts requests, handshakes and resumed sessions. */
async function startTlsReceiver(cert: { key: string; cert: string }, options: { close?: boolean } = {}) {
  const seen = { requests: 0, handshakes: 0, resumed: 0, refusedHandshakes: 0 };
  receiver = https.createServer({ key: cert.key, cert: cert.cert }, (req, res) => {
    req.resume();
    req.on('end', () => {
      seen.requests++;
      res.writeHead(200, options.close ? { connection: 'close' } : {}).end('ok');
    });
  });
  receiver.on('secureConnection', (socket: TLSSocket) => {
    seen.handshakes++;
    if (socket.isSessionReused()) seen.resumed++;
  });
  receiver.on('tlsClientError', () => seen.refusedHandshakes++);
  await new Promise<void>((r) => receiver!.listen(0, '127.0.0.1', r));
  return { url: `https://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks`, seen };
}

async function deliver(url: string, count: number, env: Record<string, string>) {
  server = await startTestServer({ worker: true, env: { ZUPY_RETRY_SCHEDULE: '0s', ...env } });
  const ep = await server.api.post('/api/v2/webhooks/endpoints/', {
    url,
    events: ['customer.registered'],
    ordering: 'none',
  });
  expect(ep.status).toBe(201);
  for (let i = 0; i < count; i++) {
    const res = await server.api.post('/api/v2/customers/', {
      phone: `11 96333-${String(i).padStart(4, '0')}`,
      name: `Tls ${i}`,
    });
    expect(res.status).toBe(201);
  }
  const api = server.api;
  return waitUntil(async () => {
    const res = await api.get('/api/v2/webhooks/deliveries/?page_size=100');
    const done = (res.body.data as { status: string }[]).filter((d) => d.status !== 'pending');
    return done.length === count ? (res.body.data as { id: string; status: string }[]) : undefined;
  }, 30_000);
}

async function lastError(deliveryId: string): Promise<string> {
  return String((await lastAttempt(deliveryId)).error);
}

async function lastAttempt(deliveryId: string) {
  const res = await server!.api.get(`/api/v2/webhooks/deliveries/${deliveryId}/`);
  return res.body.attempts.at(-1);
}

describe('HTTPS endpoints', () => {
  it('a receiver whose certificate a private CA signed is refused without ZUPY_EXTRA_CA_FILE', async () => {
    const r = await startTlsReceiver(local);
    const [delivery] = await deliver(r.url, 1, {});
    expect(delivery!.status).toBe('failed');
    expect(await lastError(delivery!.id)).toMatch(
      /^certificate refused \(UNABLE_TO_VERIFY_LEAF_SIGNATURE\).*ZUPY_EXTRA_CA_FILE/,
    );
    // The same as a stable code, with Node's own code as its param (the panel translates by it).
    expect(await lastAttempt(delivery!.id)).toMatchObject({
      error_code: 'tls_certificate',
      error_params: { tls_code: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' },
    });
    expect(r.seen.requests).toBe(0);
    expect(r.seen.refusedHandshakes).toBeGreaterThan(0);
  });

  it('is accepted with the CA in ZUPY_EXTRA_CA_FILE, over kept-alive connections within the endpoint’s limit', async () => {
    const r = await startTlsReceiver(local);
    const deliveries = await deliver(r.url, 30, {
      ZUPY_EXTRA_CA_FILE: ca.caFile,
      ZUPY_ENDPOINT_MAX_IN_FLIGHT: '2',
    });
    expect(deliveries.every((d) => d.status === 'succeeded')).toBe(true);
    expect(r.seen.requests).toBe(30);
    // 30 deliveries, at most 2 at once: at most 2 connections, so at most 2 handshakes.
    expect(r.seen.handshakes).toBeGreaterThan(0);
    expect(r.seen.handshakes).toBeLessThanOrEqual(2);
  });

  it('resumes the TLS session on a new connection instead of a full handshake', async () => {
    // The receiver closes every connection after its answer: each delivery connects anew.
    const r = await startTlsReceiver(local, { close: true });
    const deliveries = await deliver(r.url, 8, {
      ZUPY_EXTRA_CA_FILE: ca.caFile,
      ZUPY_ENDPOINT_MAX_IN_FLIGHT: '1',
    });
    expect(deliveries.every((d) => d.status === 'succeeded')).toBe(true);
    expect(r.seen.handshakes).toBe(8);
    // Every connection after the first resumed the session the first one got.
    expect(r.seen.resumed).toBe(7);
  });

  it('keeps a session per port: two receivers on one host each resume their own', async () => {
    // Two servers on 127.0.0.1, each closing every connection after its answer; every event goes to
    // both, so connections to the two alternate. Keyed by host alone, each would be offered the
    // other's session and make a full handshake.
    const first = await startTlsReceiver(local, { close: true });
    const firstServer = receiver!;
    const second = await startTlsReceiver(local, { close: true });
    try {
      server = await startTestServer({
        worker: true,
        env: { ZUPY_RETRY_SCHEDULE: '0s', ZUPY_EXTRA_CA_FILE: ca.caFile, ZUPY_ENDPOINT_MAX_IN_FLIGHT: '1' },
      });
      for (const url of [first.url, second.url])
        expect((await server.api.post('/api/v2/webhooks/endpoints/', { url, ordering: 'none' })).status).toBe(
          201,
        );
      for (let i = 0; i < 6; i++)
        expect(
          (
            await server.api.post('/api/v2/customers/', {
              phone: `11 96444-${String(i).padStart(4, '0')}`,
              name: `Porta ${i}`,
            })
          ).status,
        ).toBe(201);
      await waitUntil(
        () => (first.seen.requests >= 6 && second.seen.requests >= 6 ? true : undefined),
        30_000,
      );
      for (const seen of [first.seen, second.seen]) {
        expect(seen.handshakes).toBeGreaterThanOrEqual(6);
        // Every connection after each server's first resumed that server's session.
        expect(seen.resumed).toBe(seen.handshakes - 1);
      }
    } finally {
      firstServer.closeAllConnections();
      await new Promise((r) => firstServer.close(r));
    }
  });

  it('still verifies the name with the CA added: a certificate for another host is refused', async () => {
    const r = await startTlsReceiver(ca.issue('other', 'DNS:other.example,IP:127.0.0.2'));
    const [delivery] = await deliver(r.url, 1, { ZUPY_EXTRA_CA_FILE: ca.caFile });
    expect(delivery!.status).toBe('failed');
    expect(await lastError(delivery!.id)).toMatch(/^certificate refused \(ERR_TLS_CERT_ALTNAME_INVALID\)/);
    expect(await lastAttempt(delivery!.id)).toMatchObject({
      error_code: 'tls_certificate',
      error_params: { tls_code: 'ERR_TLS_CERT_ALTNAME_INVALID' },
    });
    expect(r.seen.requests).toBe(0);
  });

  it('ZUPY_EXTRA_CA_FILE that is missing or holds no certificate stops the process, naming the variable', () => {
    const notPem = path.join(dir, 'not-a-cert.pem');
    fs.writeFileSync(notPem, 'hello\n');
    const broken = path.join(dir, 'broken.pem');
    fs.writeFileSync(broken, '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n');
    for (const file of [path.join(dir, 'missing.pem'), notPem, broken]) {
      expect(() => loadConfig({ ZUPY_EXTRA_CA_FILE: file })).toThrow(ConfigError);
      expect(() => loadConfig({ ZUPY_EXTRA_CA_FILE: file })).toThrow(/ZUPY_EXTRA_CA_FILE/);
    }
    // The CA itself, and unset: fine.
    expect(loadConfig({ ZUPY_EXTRA_CA_FILE: ca.caFile }).extraCa).toContain('BEGIN CERTIFICATE');
    expect(loadConfig({}).extraCa).toBeUndefined();
  });
});
