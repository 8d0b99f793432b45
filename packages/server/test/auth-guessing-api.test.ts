import { afterEach, describe, expect, it } from 'vitest';
import { MAX_AUTH_FAILURES_PER_MINUTE } from '../src/http/auth-failure-limiter.js';
import { startTestServer, type TestServer } from './helpers/test-server.js';

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

/** One GET over real HTTP (127.0.0.1) with the given key and extra headers. */
async function get(key: string | undefined, headers: Record<string, string> = {}) {
  const res = await fetch(`${server!.url}/api/v2/customers/`, {
    headers: { ...(key ? { 'x-api-key': key } : {}), ...headers },
  });
  await res.arrayBuffer();
  return res;
}

const wrongKey = (i: number) => `zupy_pk_${String(i).padStart(32, '0')}`;

describe('the API-key guessing limiter', () => {
  it('refuses wrong keys from a guessing address with 429 but keeps serving a valid key from it', async () => {
    server = await startTestServer();
    const statuses: number[] = [];
    for (let i = 0; i < MAX_AUTH_FAILURES_PER_MINUTE + 5; i++) statuses.push((await get(wrongKey(i))).status);
    expect(statuses.slice(0, MAX_AUTH_FAILURES_PER_MINUTE).every((s) => s === 401)).toBe(true);
    expect(statuses.slice(MAX_AUTH_FAILURES_PER_MINUTE).every((s) => s === 429)).toBe(true);
    for (let i = 0; i < 3; i++) {
      expect((await get(server.apiKey)).status).toBe(200);
      const bad = await get(wrongKey(100 + i));
      expect(bad.status).toBe(429);
      expect(Number(bad.headers.get('retry-after'))).toBeGreaterThan(0);
      const missing = await get(undefined);
      expect(missing.status).toBe(429);
      expect(Number(missing.headers.get('retry-after'))).toBeGreaterThan(0);
    }
    const refused = await fetch(`${server.url}/api/v2/customers/`, {
      headers: { 'x-api-key': wrongKey(200) },
    });
    const wait = refused.headers.get('retry-after');
    expect((await refused.json()).detail).toBe(
      `too many requests with an invalid API key; retry in ${wait} s`,
    );
  });

  it('ignores X-Forwarded-For without ZUPY_TRUST_PROXY: a spoofed header does not escape the limit', async () => {
    server = await startTestServer();
    for (let i = 0; i < MAX_AUTH_FAILURES_PER_MINUTE; i++) {
      expect((await get(wrongKey(i), { 'x-forwarded-for': `203.0.113.${i + 1}` })).status).toBe(401);
    }
    const spoofed = await get(wrongKey(99), { 'x-forwarded-for': '198.51.100.7' });
    expect(spoofed.status).toBe(429);
    expect(Number(spoofed.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await get(server.apiKey, { 'x-forwarded-for': '198.51.100.7' })).status).toBe(200);
  });

  it('with ZUPY_TRUST_PROXY limits two clients behind the same proxy separately', async () => {
    server = await startTestServer({ env: { ZUPY_TRUST_PROXY: '127.0.0.1' } });
    const alice = { 'x-forwarded-for': '203.0.113.10' };
    const bob = { 'x-forwarded-for': '203.0.113.20' };
    for (let i = 0; i < MAX_AUTH_FAILURES_PER_MINUTE; i++)
      expect((await get(wrongKey(i), alice)).status).toBe(401);
    const limited = await get(wrongKey(99), alice);
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    // Bob comes through the same proxy (127.0.0.1) but is another client: his wrong key is a 401.
    expect((await get(wrongKey(99), bob)).status).toBe(401);
    expect((await get(server.apiKey, alice)).status).toBe(200);
  });

  it('with a hop count of 1 believes the last X-Forwarded-For entry only', async () => {
    server = await startTestServer({ env: { ZUPY_TRUST_PROXY: '1' } });
    // The client forges a first entry; the proxy appends the real one, which is what counts.
    for (let i = 0; i < MAX_AUTH_FAILURES_PER_MINUTE; i++) {
      const forged = `10.9.${i}.1, 203.0.113.30`;
      expect((await get(wrongKey(i), { 'x-forwarded-for': forged })).status).toBe(401);
    }
    expect((await get(wrongKey(99), { 'x-forwarded-for': '10.0.0.99, 203.0.113.30' })).status).toBe(429);
    expect((await get(wrongKey(99), { 'x-forwarded-for': '203.0.113.31' })).status).toBe(401);
  });
});
