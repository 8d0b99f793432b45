import Fastify from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import { runInTransaction } from '../src/db/transaction.js';
import { startRuntime, type Runtime, type RuntimeOverrides } from '../src/app/runtime.js';
import { queueEndpointNotice, type EndpointNotice } from '../src/notifications/owner-notices.js';
import { claimDueNotices } from '../src/notifications/notice-store.js';
import { eventually, startSmtpSink, type SmtpSink } from './helpers/smtp-sink.js';
import { databaseEnv } from './helpers/test-database.js';
import { startTestServer, type TestServer } from './helpers/test-server.js';

/**
 * The owner e-mail outbox across processes and time: several workers, shutdowns, SMTP configured
 * late or with a wrong password, notices too old to send, and the retention period.
 */
const FROM = 'Zupy <zupy@example.com>';
const FAST: RuntimeOverrides = { ownerNotices: { pollMs: 25, retryScheduleMs: [300, 300, 300] } };
const smtpEnv = (url: string) => ({ ZUPY_SMTP_URL: url, ZUPY_SMTP_FROM: FROM });
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));
const hoursAgo = (h: number) => new Date(Date.now() - h * 3_600_000).toISOString();

function notice(server: TestServer, n: number, extra: Partial<EndpointNotice> = {}): EndpointNotice {
  return {
    kind: 'endpoint.disabled',
    companyId: server.companyId,
    endpoint: { id: `ep_notice_${n}`, url: `https://crm.example.com/hooks/${n}`, description: null },
    reason: 'the receiver answered 410 Gone',
    reasonCode: 'gone',
    heldDeliveries: n,
    nextProbeAt: null,
    enabledBy: null,
    at: new Date(Date.now() + n).toISOString(),
    ...extra,
  };
}

const queue = (server: TestServer, ...list: EndpointNotice[]) =>
  runInTransaction(server.runtime.ctx.db, async (trx) => {
    for (const item of list) await queueEndpointNotice(trx, item);
  });

const rows = (server: TestServer) =>
  server.runtime.ctx.db.selectFrom('owner_notifications').selectAll().orderBy('created_at').execute();

async function withOwner(server: TestServer): Promise<TestServer> {
  const res = await server.api.request('PATCH', '/api/v2/me/', {
    notification_email: 'dono@bellavista.com.br',
  });
  expect(res.status).toBe(200);
  return server;
}

/** Another worker process's runtime on the test server's database. */
async function anotherWorker(
  server: TestServer,
  env: Record<string, string>,
  overrides: RuntimeOverrides,
  log = Fastify({ logger: false }).log,
): Promise<Runtime> {
  const config = loadConfig({
    ...databaseEnv(server.databaseUrl),
    ZUPY_DATA_DIR: server.dataDir,
    ZUPY_LOG_LEVEL: 'silent',
    ...env,
  });
  const runtime = await startRuntime(config, overrides);
  runtime.startWorker(log);
  return runtime;
}

describe('the owner e-mail outbox', () => {
  const cleanup: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const close of cleanup.reverse()) await close();
    cleanup.length = 0;
  });
  async function sinkOf(options: Parameters<typeof startSmtpSink>[0] = {}): Promise<SmtpSink> {
    const sink = await startSmtpSink(options);
    cleanup.push(() => sink.close());
    return sink;
  }
  async function serverOf(options: Parameters<typeof startTestServer>[0]): Promise<TestServer> {
    const server = await startTestServer(options);
    cleanup.push(() => server.close());
    return server;
  }

  it('three workers on one database send each of 30 notices exactly once', async () => {
    const sink = await sinkOf({ dataDelayMs: 15 });
    const busy: RuntimeOverrides = { ownerNotices: { pollMs: 5, batchSize: 2 } };
    const server = await withOwner(await serverOf({ env: smtpEnv(sink.url), ctx: busy }));
    const others = [
      await anotherWorker(server, smtpEnv(sink.url), busy),
      await anotherWorker(server, smtpEnv(sink.url), busy),
    ];
    cleanup.push(async () => {
      for (const other of others) await other.close();
    });
    server.runtime.startWorker(server.app.log);
    await queue(server, ...Array.from({ length: 30 }, (_, i) => notice(server, i + 1)));
    await sink.waitFor(30, 20_000);
    await eventually(async () => (await rows(server)).every((row) => row.sent_at !== null));
    await pause(300);
    const ids = sink.mails.map((mail) => /ID: (ep_notice_\d+)/.exec(mail.text)?.[1]);
    expect(new Set(ids).size).toBe(30);
    expect(sink.mails).toHaveLength(30);
    // Each notice was claimed once: no second worker ever held it.
    expect((await rows(server)).map((row) => row.attempts)).toEqual(Array(30).fill(1));
  });

  it('waits, untried, while no SMTP server is configured, and sends once one is', async () => {
    const server = await withOwner(await serverOf({ worker: true, ctx: FAST }));
    await queue(server, notice(server, 1));
    await pause(400);
    expect(await rows(server)).toMatchObject([
      { attempts: 0, sent_at: null, last_error: null, lease_expires_at: null },
    ]);
    expect((await rows(server))[0]!.next_attempt_at).not.toBeNull();
    const sink = await sinkOf();
    const configured = await serverOf({
      env: smtpEnv(sink.url),
      worker: true,
      ctx: FAST,
      dataDir: server.dataDir,
      databaseUrl: server.databaseUrl,
    });
    const [mail] = await sink.waitFor(1);
    expect(mail!.subject).toBe('[Zupy] Endpoint de webhook desativado: https://crm.example.com/hooks/1');
    await eventually(async () => (await rows(configured))[0]?.sent_at);
    expect((await rows(configured))[0]!.attempts).toBe(1);
  });

  it('gives up a notice not sent within 72 hours of its cause instead of sending it late', async () => {
    const sink = await sinkOf();
    const server = await withOwner(await serverOf({ env: smtpEnv(sink.url), worker: true, ctx: FAST }));
    await queue(server, notice(server, 1, { at: hoursAgo(72.1) }), notice(server, 2, { at: hoursAgo(71.9) }));
    const [mail] = await sink.waitFor(1);
    expect(mail!.text).toContain('ID: ep_notice_2');
    const [stale, fresh] = await eventually(async () => {
      const all = await rows(server);
      return all[0]?.last_error && all[1]?.sent_at ? all : undefined;
    });
    expect(stale).toMatchObject({ sent_at: null, next_attempt_at: null, attempts: 0 });
    expect(stale!.last_error).toContain('not sent within 72 h');
    expect(fresh!.attempts).toBe(1);
    await pause(300);
    expect(sink.mails).toHaveLength(1);
  });

  it('deletes notices older than the retention period, sent or still waiting', async () => {
    const server = await withOwner(
      await serverOf({ worker: true, ctx: { ownerNotices: { retentionMs: 3_600_000, pruneEveryMs: 50 } } }),
    );
    await queue(server, notice(server, 1, { at: hoursAgo(2) }), notice(server, 2, { at: hoursAgo(0.5) }));
    const left = await eventually(async () => {
      const all = await rows(server);
      return all.length === 1 ? all : undefined;
    });
    expect(JSON.parse(left[0]!.payload)).toMatchObject({ endpoint: { id: 'ep_notice_2' } });
  });

  it('a worker that died holding a notice leaves a lease that expires, and the next worker sends it', async () => {
    const sink = await sinkOf();
    const server = await withOwner(await serverOf({ env: smtpEnv(sink.url), ctx: FAST }));
    await queue(server, notice(server, 1));
    // What a worker killed mid-send leaves behind: the notice claimed under its lease, never marked.
    // (Claimed as of a moment after the notice's time, which `notice()` sets 1 ms ahead.)
    const now = new Date(Date.now() + 20);
    const claimed = await claimDueNotices(server.runtime.ctx.db, {
      now,
      leaseUntil: new Date(now.getTime() + 800),
      limit: 10,
    });
    expect(claimed).toHaveLength(1);
    server.runtime.startWorker(server.app.log);
    await pause(400);
    expect(sink.mails).toEqual([]); // the lease still runs: nobody else takes it
    await sink.waitFor(1);
    expect(Date.now() - now.getTime()).toBeGreaterThanOrEqual(800);
    await eventually(async () => (await rows(server))[0]?.sent_at);
    expect((await rows(server))[0]!.attempts).toBe(2);
  });

  it('on stop, lets a slow send finish within the grace period', async () => {
    const sink = await sinkOf({ dataDelayMs: 600 });
    const server = await withOwner(await serverOf({ env: smtpEnv(sink.url), worker: true, ctx: FAST }));
    await queue(server, notice(server, 1));
    await eventually(() => sink.rcptAttempts.length === 1);
    await server.runtime.noticeSender!.stop(5_000);
    expect(sink.mails).toHaveLength(1);
    expect((await rows(server))[0]).toMatchObject({ attempts: 1, lease_expires_at: null });
    expect((await rows(server))[0]!.sent_at).not.toBeNull();
  });

  it('on stop past the grace period, gives the notice back at once and the next worker sends it', async () => {
    const slow = await sinkOf({ dataDelayMs: 5_000 });
    const server = await withOwner(await serverOf({ env: smtpEnv(slow.url), worker: true, ctx: FAST }));
    await queue(server, notice(server, 1));
    await eventually(() => slow.rcptAttempts.length === 1);
    const stopping = Date.now();
    await server.runtime.noticeSender!.stop(100);
    expect(Date.now() - stopping).toBeLessThan(2_000);
    expect((await rows(server))[0]).toMatchObject({ attempts: 0, lease_expires_at: null, sent_at: null });
    const sink = await sinkOf();
    const next = await anotherWorker(server, smtpEnv(sink.url), FAST);
    cleanup.push(() => next.close());
    await sink.waitFor(1);
    await eventually(async () => (await rows(server))[0]?.sent_at);
    expect((await rows(server))[0]!.attempts).toBe(1);
  });

  it('logs in with the URL’s credentials, and keeps the password out of logs and the database when refused', async () => {
    const password = 'Pa55-w0rd-N0t-For-Logs';
    const sink = await sinkOf({ login: { user: 'zupy', pass: password } });
    const server = await withOwner(await serverOf({}));
    const lines: string[] = [];
    const log = Fastify({
      logger: { level: 'trace', stream: { write: (line: string) => lines.push(line) } },
    }).log;
    const url = (pass: string) => `smtp://zupy:${encodeURIComponent(pass)}@127.0.0.1:${sink.port}`;

    const wrong = await anotherWorker(server, smtpEnv(url(`${password}-old`)), FAST, log);
    await queue(server, notice(server, 1));
    const refused = await eventually(async () => {
      const [row] = await rows(server);
      return row && row.attempts >= 2 ? row : undefined;
    });
    await wrong.close();
    expect(refused.sent_at).toBeNull();
    expect(refused.last_error).toMatch(/EAUTH.*535/);
    expect(sink.refusedLogins).toBeGreaterThanOrEqual(2);
    const failures = lines.filter((line) => line.includes('owner e-mail not sent'));
    expect(failures.length).toBeGreaterThanOrEqual(2);
    expect(failures.length).toBe((await rows(server))[0]!.attempts);
    expect(lines.join('\n')).not.toContain(password);
    expect(JSON.stringify(await rows(server))).not.toContain(password);

    const right = await anotherWorker(server, smtpEnv(url(password)), FAST, log);
    cleanup.push(() => right.close());
    await sink.waitFor(1);
    await eventually(async () => (await rows(server))[0]?.sent_at);
    await eventually(() => lines.some((line) => line.includes('owner e-mail sent')));
    expect(lines.join('\n')).not.toContain(password);
  });
});
