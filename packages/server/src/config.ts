import { X509Certificate } from 'node:crypto';
import fs from 'node:fs';
import { isIP } from 'node:net';
import path from 'node:path';
import { ConfigError } from './errors.js';

/** Everything the process reads from its environment, parsed once at start (CONTRACT §4). */
export interface Config {
  readonly port: number;
  readonly host: string;
  readonly dataDir: string;
  /** `undefined` = embedded SQLite in the data dir. */
  readonly databaseUrl: string | undefined;
  readonly masterKey: string | undefined;
  /** Delay before each attempt, in ms; its length is the number of attempts. */
  readonly retrySchedule: readonly number[];
  readonly deliveryTimeoutMs: number;
  readonly allowPrivateNetwork: boolean;
  /** Serve the admin panel's `*.map` source maps (debugging); off, they answer 404. */
  readonly adminSourceMaps: boolean;
  readonly logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** An endpoint that fails every attempt for this long is disabled (ms). */
  readonly endpointDisableAfterMs: number;
  /** Delays between probes of an endpoint disabled for a failure streak (ms); the last one repeats. */
  readonly endpointProbeSchedule: readonly number[];
  /** Requests per minute per API key. */
  readonly rateLimitPerMinute: number;
  /** Finished deliveries, their attempts, and delivered events older than this are pruned (ms). */
  readonly retentionMs: number;
  /** ZUPY_AUDIT_RETENTION: audit log entries older than this are removed. */
  readonly auditRetentionMs: number;
  /**
   * Which proxies to believe about the client's address (`X-Forwarded-For`), as Fastify's
   * `trustProxy`: `false` (default: the socket's address), `true` (any), a hop count, or addresses/CIDRs.
   */
  readonly trustProxy: TrustProxy;
  /** A request's headers and body must arrive within this (ms), or the connection gets 408 and is closed. */
  readonly requestTimeoutMs: number;
  /** A request's headers must arrive within this (ms); at most {@link requestTimeoutMs}. */
  readonly headersTimeoutMs: number;
  /** An idle keep-alive connection is closed after this (ms). */
  readonly keepAliveTimeoutMs: number;
  /** Open connections the HTTP server accepts at once; further ones are dropped. */
  readonly maxConnections: number;
  /** Each endpoint's adaptive in-flight limit stays within these (`ZUPY_ENDPOINT_MIN/MAX_IN_FLIGHT`). */
  readonly endpointMinInFlight: number;
  readonly endpointMaxInFlight: number;
  /**
   * Requests in flight per worker process across all endpoints (`ZUPY_MAX_IN_FLIGHT`): against slow
   * receivers concurrency is the limit, not CPU, so it is in the thousands.
   */
  readonly maxInFlight: number;
  /** PEM certificates trusted beside the system's CAs for HTTPS endpoints (`ZUPY_EXTRA_CA_FILE`). */
  readonly extraCa: string | undefined;
  /** On shutdown, answers in progress get this long (ms); then every open connection is closed. */
  readonly shutdownGraceMs: number;
  /** Where owner e-mails go out (`ZUPY_SMTP_URL`, `ZUPY_SMTP_FROM`); `undefined`: none are sent. */
  readonly smtp: SmtpConfig | undefined;
}

/** The SMTP server and sender of owner e-mails. `url` may hold a password: never log it. */
export interface SmtpConfig {
  /** `smtp://user:pass@host:587` (STARTTLS when offered) or `smtps://…:465` (TLS from the start). */
  readonly url: string;
  /** The From header: `zupy@example.com` or `Zupy <zupy@example.com>`. */
  readonly from: string;
  /** The URL without its password, for messages and logs (also what `JSON.stringify` shows). */
  readonly safeUrl: string;
  toJSON(): { url: string; from: string };
}

export type TrustProxy = boolean | number | readonly string[];

/** proxy-addr's names for address ranges, accepted next to addresses and CIDRs. */
const PROXY_RANGE_NAMES = ['loopback', 'linklocal', 'uniquelocal'];

function parseTrustProxy(text: string | undefined): TrustProxy {
  const value = (text ?? '').trim();
  const variable = 'ZUPY_TRUST_PROXY';
  if (value === '' || value.toLowerCase() === 'false') return false;
  if (value.toLowerCase() === 'true') return true;
  if (/^\d+$/.test(value)) return parseInteger(value, variable, 0, 100);
  const entries = value.split(',').map((part) => part.trim());
  for (const entry of entries) {
    const [address, prefix, ...rest] = entry.split('/');
    const family = isIP(address ?? '');
    const validPrefix =
      prefix === undefined ||
      (/^\d+$/.test(prefix) && Number(prefix) <= (family === 6 ? 128 : 32)) ||
      (family === 4 && isIP(prefix) === 4);
    if (PROXY_RANGE_NAMES.includes(entry)) continue;
    if (family === 0 || !validPrefix || rest.length > 0) {
      throw new ConfigError(
        variable,
        `"${entry}" is not an address or CIDR; use true, false, a hop count, or a comma-separated ` +
          `list of addresses/CIDRs (or loopback, linklocal, uniquelocal)`,
      );
    }
  }
  return Object.freeze(entries);
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
const DURATION_UNITS_MS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/** Parses `250ms`, `10s`, `1m`, `1h`, `5d` into milliseconds. */
export function parseDuration(text: string, variable: string): number {
  const match = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)\s*$/.exec(text);
  if (!match) throw new ConfigError(variable, `"${text}" is not a duration such as 500ms, 10s, 1m, 1h or 5d`);
  return Math.round(Number(match[1]) * DURATION_UNITS_MS[match[2] as keyof typeof DURATION_UNITS_MS]);
}

/** A server timeout: a duration from 100 ms to 1 h (never off: an unbounded wait is the attack). */
function parseTimeout(text: string, variable: string): number {
  const ms = parseDuration(text, variable);
  if (ms < 100 || ms > 3_600_000) throw new ConfigError(variable, `"${text}" must be from 100ms to 1h`);
  return ms;
}

function parseInteger(text: string, variable: string, min: number, max: number): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new ConfigError(variable, `"${text}" must be an integer from ${min} to ${max}`);
  }
  return value;
}

// A practical address check (as for customers' e-mails): one @, no spaces, a dot in the domain.
const ADDRESS = String.raw`[^\s@"(),:;<>[\\\]]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+`;
const FROM_PATTERN = new RegExp(
  String.raw`^(?:${ADDRESS}|[^<>"\r\n]*<${ADDRESS}>|"[^"\r\n]*"\s*<${ADDRESS}>)$`,
);

/**
 * `ZUPY_SMTP_URL` and `ZUPY_SMTP_FROM`: both or neither. Messages never repeat the URL, which may
 * carry the SMTP password.
 */
function parseSmtp(urlText: string | undefined, fromText: string | undefined): SmtpConfig | undefined {
  const url = urlText?.trim() ?? '';
  const from = fromText?.trim() ?? '';
  if (url === '' && from === '') return undefined;
  if (url === '') {
    throw new ConfigError(
      'ZUPY_SMTP_URL',
      'is required when ZUPY_SMTP_FROM is set (smtp://user:pass@host:587)',
    );
  }
  if (from === '') {
    throw new ConfigError(
      'ZUPY_SMTP_FROM',
      'is required when ZUPY_SMTP_URL is set: the sender, e.g. "Zupy <zupy@example.com>"',
    );
  }
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new ConfigError('ZUPY_SMTP_URL', 'is not a URL such as smtp://user:pass@smtp.example.com:587');
  }
  if (parsed.protocol !== 'smtp:' && parsed.protocol !== 'smtps:') {
    throw new ConfigError(
      'ZUPY_SMTP_URL',
      `must start with smtp:// (STARTTLS when offered) or smtps:// (TLS), not ${parsed.protocol}//`,
    );
  }
  if (parsed.hostname === '') throw new ConfigError('ZUPY_SMTP_URL', 'names no host');
  if (!FROM_PATTERN.test(from)) {
    throw new ConfigError(
      'ZUPY_SMTP_FROM',
      `"${from}" is not an address such as zupy@example.com or "Zupy <zupy@example.com>"`,
    );
  }
  const safe = new URL(url);
  if (safe.password !== '') safe.password = '***';
  const safeUrl = safe.toString();
  return Object.freeze({ url, from, safeUrl, toJSON: () => ({ url: safeUrl, from }) });
}

/**
 * `ZUPY_EXTRA_CA_FILE`: a PEM file of one or more CA certificates, added to (never replacing) the
 * system's for HTTPS endpoints behind a private CA. Read at start; a file that is missing or holds
 * no certificate stops the process.
 */
function readExtraCa(file: string | undefined, cwd: string): string | undefined {
  const variable = 'ZUPY_EXTRA_CA_FILE';
  if (file === undefined || file.trim() === '') return undefined;
  let text: string;
  try {
    text = fs.readFileSync(path.resolve(cwd, file.trim()), 'utf8');
  } catch (error) {
    throw new ConfigError(
      variable,
      `cannot read ${file.trim()}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`,
    );
  }
  const blocks = text.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
  if (blocks.length === 0) throw new ConfigError(variable, `${file.trim()} holds no PEM certificate`);
  for (const block of blocks) {
    try {
      new X509Certificate(block);
    } catch {
      throw new ConfigError(variable, `${file.trim()} holds a certificate that cannot be read`);
    }
  }
  return blocks.join('\n');
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): Config {
  const schedule = (env.ZUPY_RETRY_SCHEDULE ?? '0s,1m,5m,15m,1h')
    .split(',')
    .map((part) => parseDuration(part, 'ZUPY_RETRY_SCHEDULE'));
  if (schedule.length === 0 || schedule.length > 20) {
    throw new ConfigError('ZUPY_RETRY_SCHEDULE', 'must list from 1 to 20 delays');
  }
  const probeSchedule = (env.ZUPY_ENDPOINT_PROBE_SCHEDULE ?? '5m,15m,1h,6h')
    .split(',')
    .map((part) => parseDuration(part, 'ZUPY_ENDPOINT_PROBE_SCHEDULE'));
  if (probeSchedule.length > 20 || probeSchedule.some((ms) => ms < 1000)) {
    throw new ConfigError('ZUPY_ENDPOINT_PROBE_SCHEDULE', 'must list from 1 to 20 delays of at least 1s');
  }
  const logLevel = env.ZUPY_LOG_LEVEL ?? 'info';
  if (!(LOG_LEVELS as readonly string[]).includes(logLevel)) {
    throw new ConfigError('ZUPY_LOG_LEVEL', `must be one of ${LOG_LEVELS.join(', ')}`);
  }
  const databaseUrl = env.ZUPY_DATABASE_URL?.trim() || undefined;
  if (databaseUrl !== undefined && !/^postgres(ql)?:\/\//.test(databaseUrl)) {
    throw new ConfigError('ZUPY_DATABASE_URL', 'must be a postgres:// URL, or unset for embedded SQLite');
  }
  const requestTimeoutMs = parseTimeout(env.ZUPY_REQUEST_TIMEOUT ?? '30s', 'ZUPY_REQUEST_TIMEOUT');
  const headersTimeoutMs = parseTimeout(env.ZUPY_HEADERS_TIMEOUT ?? '10s', 'ZUPY_HEADERS_TIMEOUT');
  if (headersTimeoutMs > requestTimeoutMs) {
    throw new ConfigError(
      'ZUPY_HEADERS_TIMEOUT',
      `must not be longer than ZUPY_REQUEST_TIMEOUT (${requestTimeoutMs} ms)`,
    );
  }
  const endpointMinInFlight = parseInteger(
    env.ZUPY_ENDPOINT_MIN_IN_FLIGHT ?? '1',
    'ZUPY_ENDPOINT_MIN_IN_FLIGHT',
    1,
    256,
  );
  const endpointMaxInFlight = parseInteger(
    env.ZUPY_ENDPOINT_MAX_IN_FLIGHT ?? '64',
    'ZUPY_ENDPOINT_MAX_IN_FLIGHT',
    1,
    256,
  );
  if (endpointMinInFlight > endpointMaxInFlight) {
    throw new ConfigError(
      'ZUPY_ENDPOINT_MIN_IN_FLIGHT',
      `must not be more than ZUPY_ENDPOINT_MAX_IN_FLIGHT (${endpointMaxInFlight})`,
    );
  }
  const maxInFlight = parseInteger(env.ZUPY_MAX_IN_FLIGHT ?? '2000', 'ZUPY_MAX_IN_FLIGHT', 1, 20_000);
  return Object.freeze({
    port: parseInteger(env.ZUPY_PORT ?? '8080', 'ZUPY_PORT', 0, 65535),
    host: env.ZUPY_HOST ?? '127.0.0.1',
    dataDir: path.resolve(cwd, env.ZUPY_DATA_DIR ?? './.zupy'),
    databaseUrl,
    masterKey: env.ZUPY_MASTER_KEY?.trim() || undefined,
    retrySchedule: Object.freeze(schedule),
    deliveryTimeoutMs: parseDuration(env.ZUPY_DELIVERY_TIMEOUT ?? '10s', 'ZUPY_DELIVERY_TIMEOUT'),
    allowPrivateNetwork: ['1', 'true', 'yes'].includes((env.ZUPY_ALLOW_PRIVATE_NETWORK ?? '').toLowerCase()),
    adminSourceMaps: ['1', 'true', 'yes'].includes((env.ZUPY_ADMIN_SOURCE_MAPS ?? '').toLowerCase()),
    logLevel: logLevel as Config['logLevel'],
    endpointDisableAfterMs: parseDuration(
      env.ZUPY_ENDPOINT_DISABLE_AFTER ?? '5d',
      'ZUPY_ENDPOINT_DISABLE_AFTER',
    ),
    endpointProbeSchedule: Object.freeze(probeSchedule),
    rateLimitPerMinute: parseInteger(env.ZUPY_RATE_LIMIT ?? '600', 'ZUPY_RATE_LIMIT', 1, 1_000_000),
    retentionMs: parseDuration(env.ZUPY_RETENTION ?? '30d', 'ZUPY_RETENTION'),
    auditRetentionMs: parseDuration(env.ZUPY_AUDIT_RETENTION ?? '365d', 'ZUPY_AUDIT_RETENTION'),
    trustProxy: parseTrustProxy(env.ZUPY_TRUST_PROXY),
    requestTimeoutMs,
    headersTimeoutMs,
    keepAliveTimeoutMs: parseTimeout(env.ZUPY_KEEP_ALIVE_TIMEOUT ?? '72s', 'ZUPY_KEEP_ALIVE_TIMEOUT'),
    maxConnections: parseInteger(env.ZUPY_MAX_CONNECTIONS ?? '1024', 'ZUPY_MAX_CONNECTIONS', 1, 1_000_000),
    endpointMinInFlight,
    endpointMaxInFlight,
    maxInFlight,
    extraCa: readExtraCa(env.ZUPY_EXTRA_CA_FILE, cwd),
    shutdownGraceMs: parseTimeout(env.ZUPY_SHUTDOWN_GRACE ?? '10s', 'ZUPY_SHUTDOWN_GRACE'),
    smtp: parseSmtp(env.ZUPY_SMTP_URL, env.ZUPY_SMTP_FROM),
  });
}
