import { describe, expect, it } from 'vitest';
import { ConfigError } from './errors.js';
import { loadConfig, parseDuration } from './config.js';

describe('config', () => {
  it('has the contract’s defaults', () => {
    const config = loadConfig({}, '/srv');
    expect(config).toMatchObject({
      port: 8080,
      host: '127.0.0.1',
      dataDir: '/srv/.zupy',
      databaseUrl: undefined,
      retrySchedule: [0, 60_000, 300_000, 900_000, 3_600_000],
      deliveryTimeoutMs: 10_000,
      allowPrivateNetwork: false,
      adminSourceMaps: false,
      logLevel: 'info',
      trustProxy: false,
      requestTimeoutMs: 30_000,
      headersTimeoutMs: 10_000,
      keepAliveTimeoutMs: 72_000,
      maxConnections: 1024,
      shutdownGraceMs: 10_000,
      endpointProbeSchedule: [300_000, 900_000, 3_600_000, 21_600_000],
    });
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('reads the probe schedule: each step at least 1 s, 1 to 20 steps', () => {
    const probes = (text: string) => loadConfig({ ZUPY_ENDPOINT_PROBE_SCHEDULE: text }).endpointProbeSchedule;
    expect(probes('1s')).toEqual([1000]);
    expect(probes('2s,1m')).toEqual([2000, 60_000]);
    expect(() => probes('999ms')).toThrow(/ZUPY_ENDPOINT_PROBE_SCHEDULE/);
    expect(() => probes('5m,999ms')).toThrow(/at least 1s/);
    expect(probes(Array(20).fill('1s').join(','))).toHaveLength(20);
    expect(() => probes(Array(21).fill('1s').join(','))).toThrow(/from 1 to 20/);
    expect(() => probes('soon')).toThrow(ConfigError);
  });

  it('parses durations and refuses nonsense with the variable’s name', () => {
    expect(parseDuration('250ms', 'X')).toBe(250);
    expect(parseDuration('1.5s', 'X')).toBe(1500);
    expect(parseDuration('2h', 'X')).toBe(7_200_000);
    expect(() => loadConfig({ ZUPY_RETRY_SCHEDULE: '0s,soon' })).toThrow(/ZUPY_RETRY_SCHEDULE/);
    expect(() => loadConfig({ ZUPY_PORT: '99999' })).toThrow(/ZUPY_PORT/);
    expect(() => loadConfig({ ZUPY_DATABASE_URL: 'mysql://x' })).toThrow(/ZUPY_DATABASE_URL/);
    expect(() => loadConfig({ ZUPY_LOG_LEVEL: 'loud' })).toThrow(/ZUPY_LOG_LEVEL/);
    expect(loadConfig({ ZUPY_ALLOW_PRIVATE_NETWORK: '1' }).allowPrivateNetwork).toBe(true);
    expect(loadConfig({ ZUPY_ADMIN_SOURCE_MAPS: '1' }).adminSourceMaps).toBe(true);
  });

  it('parses ZUPY_TRUST_PROXY as Fastify’s trustProxy and refuses nonsense', () => {
    expect(loadConfig({ ZUPY_TRUST_PROXY: '' }).trustProxy).toBe(false);
    expect(loadConfig({ ZUPY_TRUST_PROXY: 'false' }).trustProxy).toBe(false);
    expect(loadConfig({ ZUPY_TRUST_PROXY: 'TRUE' }).trustProxy).toBe(true);
    expect(loadConfig({ ZUPY_TRUST_PROXY: '2' }).trustProxy).toBe(2);
    expect(loadConfig({ ZUPY_TRUST_PROXY: '10.0.0.1' }).trustProxy).toEqual(['10.0.0.1']);
    expect(
      loadConfig({ ZUPY_TRUST_PROXY: '10.0.0.0/8, fd00::/8,loopback,192.168.0.0/255.255.0.0' }).trustProxy,
    ).toEqual(['10.0.0.0/8', 'fd00::/8', 'loopback', '192.168.0.0/255.255.0.0']);
    for (const bad of ['yes', '10.0.0.1/33', 'proxy.example.com', '10.0.0.1,', '-1', '1.5', '::1/129']) {
      expect(() => loadConfig({ ZUPY_TRUST_PROXY: bad })).toThrow(/ZUPY_TRUST_PROXY/);
    }
    expect(() => loadConfig({ ZUPY_TRUST_PROXY: 'yes' })).toThrow(ConfigError);
  });

  it('parses the server timeouts and connection cap, never off, headers within the request', () => {
    expect(
      loadConfig({
        ZUPY_REQUEST_TIMEOUT: '1m',
        ZUPY_HEADERS_TIMEOUT: '500ms',
        ZUPY_KEEP_ALIVE_TIMEOUT: '5s',
        ZUPY_MAX_CONNECTIONS: '10',
        ZUPY_SHUTDOWN_GRACE: '100ms',
      }),
    ).toMatchObject({
      requestTimeoutMs: 60_000,
      headersTimeoutMs: 500,
      keepAliveTimeoutMs: 5000,
      maxConnections: 10,
      shutdownGraceMs: 100,
    });
    expect(() => loadConfig({ ZUPY_SHUTDOWN_GRACE: '99ms' })).toThrow(/ZUPY_SHUTDOWN_GRACE/);
    expect(loadConfig({ ZUPY_SHUTDOWN_GRACE: '1h' }).shutdownGraceMs).toBe(3_600_000);
    expect(() => loadConfig({ ZUPY_SHUTDOWN_GRACE: '61m' })).toThrow(/ZUPY_SHUTDOWN_GRACE/);
    expect(() => loadConfig({ ZUPY_REQUEST_TIMEOUT: '0s' })).toThrow(/ZUPY_REQUEST_TIMEOUT/);
    expect(() => loadConfig({ ZUPY_REQUEST_TIMEOUT: 'forever' })).toThrow(/ZUPY_REQUEST_TIMEOUT/);
    expect(() => loadConfig({ ZUPY_KEEP_ALIVE_TIMEOUT: '2h' })).toThrow(/ZUPY_KEEP_ALIVE_TIMEOUT/);
    expect(() => loadConfig({ ZUPY_MAX_CONNECTIONS: '0' })).toThrow(/ZUPY_MAX_CONNECTIONS/);
    expect(() => loadConfig({ ZUPY_REQUEST_TIMEOUT: '5s', ZUPY_HEADERS_TIMEOUT: '10s' })).toThrow(
      ConfigError,
    );
    expect(() => loadConfig({ ZUPY_REQUEST_TIMEOUT: '5s', ZUPY_HEADERS_TIMEOUT: '10s' })).toThrow(
      /ZUPY_HEADERS_TIMEOUT/,
    );
  });
});

describe('config: the worker’s global in-flight cap', () => {
  it('defaults ZUPY_MAX_IN_FLIGHT to 2000 and takes 1 to 20000', () => {
    expect(loadConfig({}).maxInFlight).toBe(2000);
    expect(loadConfig({ ZUPY_MAX_IN_FLIGHT: '1' }).maxInFlight).toBe(1);
    expect(loadConfig({ ZUPY_MAX_IN_FLIGHT: '5000' }).maxInFlight).toBe(5000);
    expect(loadConfig({ ZUPY_MAX_IN_FLIGHT: '20000' }).maxInFlight).toBe(20_000);
    for (const bad of ['0', '20001', '-5', '1.5', 'many'])
      expect(() => loadConfig({ ZUPY_MAX_IN_FLIGHT: bad }), bad).toThrow(/ZUPY_MAX_IN_FLIGHT/);
  });
});

describe('config: owner e-mails over SMTP', () => {
  const from = 'Zupy <zupy@example.com>';

  it('is off unless both ZUPY_SMTP_URL and ZUPY_SMTP_FROM are set', () => {
    expect(loadConfig({}).smtp).toBeUndefined();
    expect(loadConfig({ ZUPY_SMTP_URL: ' ', ZUPY_SMTP_FROM: '' }).smtp).toBeUndefined();
    expect(() => loadConfig({ ZUPY_SMTP_URL: 'smtp://mail.example.com' })).toThrow(/^ZUPY_SMTP_FROM: /);
    expect(() => loadConfig({ ZUPY_SMTP_FROM: from })).toThrow(/^ZUPY_SMTP_URL: /);
  });

  it('takes smtp:// and smtps:// URLs and plain or named senders', () => {
    const smtp = loadConfig({
      ZUPY_SMTP_URL: ' smtp://apikey:s3cr3t@smtp.example.com:587 ',
      ZUPY_SMTP_FROM: from,
    }).smtp;
    expect(smtp).toMatchObject({ url: 'smtp://apikey:s3cr3t@smtp.example.com:587', from });
    expect(Object.isFrozen(smtp)).toBe(true);
    for (const sender of [
      'zupy@example.com',
      '"Zupy, Bella Vista" <zupy@mail.example.com>',
      'Zupy <z@a.io>',
    ]) {
      expect(
        loadConfig({ ZUPY_SMTP_URL: 'smtps://mail.example.com', ZUPY_SMTP_FROM: sender }).smtp?.from,
      ).toBe(sender);
    }
  });

  it('refuses other schemes, hostless URLs and bad senders, naming the variable', () => {
    const bad: [Record<string, string>, RegExp][] = [
      [{ ZUPY_SMTP_URL: 'http://mail.example.com' }, /^ZUPY_SMTP_URL: must start with smtp:\/\//],
      [{ ZUPY_SMTP_URL: 'mail.example.com:587' }, /^ZUPY_SMTP_URL: /],
      [{ ZUPY_SMTP_URL: 'not a url' }, /^ZUPY_SMTP_URL: is not a URL/],
      [{ ZUPY_SMTP_URL: 'smtp://' }, /^ZUPY_SMTP_URL: /],
      [{ ZUPY_SMTP_URL: 'smtp://mail.example.com:99999' }, /^ZUPY_SMTP_URL: is not a URL/],
      [{ ZUPY_SMTP_FROM: 'zupy' }, /^ZUPY_SMTP_FROM: /],
      [{ ZUPY_SMTP_FROM: 'zupy@localhost' }, /^ZUPY_SMTP_FROM: /],
      [{ ZUPY_SMTP_FROM: 'Zupy <zupy@example.com' }, /^ZUPY_SMTP_FROM: /],
      [{ ZUPY_SMTP_FROM: 'a@example.com\r\nBcc: x@example.com' }, /^ZUPY_SMTP_FROM: /],
    ];
    for (const [env, message] of bad) {
      const full = { ZUPY_SMTP_URL: 'smtp://mail.example.com', ZUPY_SMTP_FROM: from, ...env };
      expect(() => loadConfig(full), JSON.stringify(env)).toThrow(message);
      expect(() => loadConfig(full)).toThrow(ConfigError);
    }
  });

  it('never repeats the SMTP password: not in errors, not in the serialized config', () => {
    const password = 'Sup3r-Secret-Pa55';
    try {
      loadConfig({ ZUPY_SMTP_URL: `ftp://user:${password}@mail.example.com`, ZUPY_SMTP_FROM: from });
      expect.unreachable();
    } catch (error) {
      expect(String(error)).not.toContain(password);
    }
    const config = loadConfig({
      ZUPY_SMTP_URL: `smtps://user:${password}@mail.example.com`,
      ZUPY_SMTP_FROM: from,
    });
    expect(config.smtp?.url).toContain(password);
    expect(JSON.stringify(config)).not.toContain(password);
    expect(config.smtp?.safeUrl).toBe('smtps://user:***@mail.example.com');
    expect(JSON.stringify(config.smtp)).toBe(
      JSON.stringify({ url: 'smtps://user:***@mail.example.com', from }),
    );
  });
});
