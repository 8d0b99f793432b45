import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { runInTransaction } from '../src/db/transaction.js';
import { queueEndpointNotice, type EndpointNotice } from '../src/notifications/owner-notices.js';
import type { RuntimeOverrides } from '../src/app/runtime.js';
import { closedPort, eventually, startSmtpSink, type SmtpSink } from './helpers/smtp-sink.js';
import { startTestServer, type TestServer } from './helpers/test-server.js';

const FROM = 'Zupy <zupy@example.com>';
/** Fast timing: poll often, retry after 300 ms. */
const FAST: RuntimeOverrides = { ownerNotices: { pollMs: 25, retryScheduleMs: [300, 300, 300] } };

function smtpEnv(url: string): Record<string, string> {
  return { ZUPY_SMTP_URL: url, ZUPY_SMTP_FROM: FROM };
}

async function createEndpoint(server: TestServer, description: string | null = 'CRM de vendas') {
  const res = await server.api.post('/api/v2/webhooks/endpoints/', {
    url: 'http://127.0.0.1:9/crm-hooks',
    description,
  });
  expect(res.status).toBe(201);
  return res.body as { id: string; url: string; description: string | null };
}

function disabledNotice(
  server: TestServer,
  endpoint: { id: string; url: string; description: string | null },
  extra: Partial<EndpointNotice> = {},
): EndpointNotice {
  return {
    kind: 'endpoint.disabled',
    companyId: server.companyId,
    endpoint: { id: endpoint.id, url: endpoint.url, description: endpoint.description },
    reason: 'failed every attempt for 5 days',
    reasonCode: 'failure_streak',
    heldDeliveries: 12,
    nextProbeAt: new Date(Date.now() + 300_000).toISOString(),
    enabledBy: null,
    at: new Date().toISOString(),
    ...extra,
  };
}

/** Queues the notice the way the engine does: inside a transaction of the real database. */
function queue(server: TestServer, notice: EndpointNotice): Promise<void> {
  return runInTransaction(server.runtime.ctx.db, (trx) => queueEndpointNotice(trx, notice));
}

function notices(server: TestServer) {
  return server.runtime.ctx.db.selectFrom('owner_notifications').selectAll().orderBy('created_at').execute();
}

const setOwner = (server: TestServer, body: Record<string, unknown>) =>
  server.api.request('PATCH', '/api/v2/me/', body).then((res) => expect(res.status).toBe(200));

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('owner e-mails through a real SMTP server', () => {
  let sink: SmtpSink;
  let server: TestServer;

  beforeAll(async () => {
    sink = await startSmtpSink();
    server = await startTestServer({ env: smtpEnv(sink.url), worker: true, ctx: FAST });
  });
  afterAll(async () => {
    await server.close();
    await sink.close();
  });
  afterEach(async () => {
    sink.mails.length = 0;
    await server.runtime.ctx.db.deleteFrom('owner_notifications').execute();
  });

  it('tells the owner in Portuguese that an endpoint was disabled: URL, description, why, what is held, the next probe', async () => {
    await setOwner(server, { notification_email: 'Dono@BellaVista.com.br' });
    const endpoint = await createEndpoint(server);
    await queue(server, disabledNotice(server, endpoint, { nextProbeAt: '2030-01-02T03:04:00.000Z' }));
    const [mail] = await sink.waitFor(1);
    expect(mail!.to).toEqual(['dono@bellavista.com.br']);
    expect(mail!.from).toBe('zupy@example.com');
    expect(mail!.headers.from).toBe('Zupy <zupy@example.com>');
    expect(mail!.subject).toBe(`[Zupy] Endpoint de webhook desativado: ${endpoint.url}`);
    expect(mail!.text).toContain(`Endpoint: ${endpoint.url} (CRM de vendas)`);
    expect(mail!.text).toContain('O Zupy desativou um endpoint de webhook da empresa Bella Vista.');
    expect(mail!.text).toContain('Nada se perde: 12 entregas estão retidas');
    expect(mail!.text).toContain('testar o endpoint de novo em 02/01/2030 às 03:04 (UTC)');
    expect(mail!.text).toContain(`PATCH /api/v2/webhooks/endpoints/${endpoint.id}/ com {"enabled": true}`);
    const [row] = await eventually(async () => {
      const rows = await notices(server);
      return rows[0]?.sent_at ? rows : undefined;
    });
    expect(row).toMatchObject({
      kind: 'endpoint.disabled',
      attempts: 1,
      next_attempt_at: null,
      last_error: null,
    });
    expect(row!.lease_expires_at).toBeNull();
    await pause(200);
    expect(sink.mails).toHaveLength(1);
  });

  it('writes in English once the company chose it, and says on re-enable that the held deliveries now flow', async () => {
    await setOwner(server, { notification_email: 'owner@bellavista.com.br', language: 'en' });
    const endpoint = await createEndpoint(server, null);
    await queue(
      server,
      disabledNotice(server, endpoint, {
        reason: 'the receiver answered 410 Gone',
        reasonCode: 'gone',
        heldDeliveries: 1,
        nextProbeAt: null,
      }),
    );
    await sink.waitFor(1);
    await queue(server, {
      ...disabledNotice(server, endpoint),
      kind: 'endpoint.enabled',
      reason: null,
      reasonCode: null,
      nextProbeAt: null,
      enabledBy: 'operator',
      heldDeliveries: 3,
    });
    const [gone, enabled] = await sink.waitFor(2);
    expect(gone!.subject).toBe(`[Zupy] Webhook endpoint disabled: ${endpoint.url}`);
    expect(gone!.text).toContain(`Endpoint: ${endpoint.url}\n`);
    expect(gone!.text).toContain('Why: the receiver answered 410 Gone');
    expect(gone!.text).toContain('Nothing is lost: 1 delivery is held');
    expect(gone!.text).toContain('a person has to enable the endpoint again');
    expect(enabled!.subject).toBe(`[Zupy] Webhook endpoint enabled again: ${endpoint.url}`);
    expect(enabled!.text).toContain('The 3 held deliveries go out now, in the order the events happened.');
    await setOwner(server, { language: 'pt-BR' });
  });

  it('queues nothing and sends nothing when the company has no notification address', async () => {
    await setOwner(server, { notification_email: null });
    const endpoint = await createEndpoint(server);
    await queue(server, disabledNotice(server, endpoint));
    expect(await notices(server)).toEqual([]);
    await pause(300);
    expect(sink.mails).toEqual([]);
  });

  it('writes the notice in the transaction of its cause: a rolled-back transaction leaves none', async () => {
    await setOwner(server, { notification_email: 'dono@bellavista.com.br' });
    const endpoint = await createEndpoint(server);
    await expect(
      runInTransaction(server.runtime.ctx.db, async (trx) => {
        await queueEndpointNotice(trx, disabledNotice(server, endpoint));
        throw new Error('the cause failed');
      }),
    ).rejects.toThrow('the cause failed');
    await pause(200);
    expect(await notices(server)).toEqual([]);
    expect(sink.mails).toEqual([]);
  });
});

describe('owner e-mails, one server per case', () => {
  let server: TestServer | undefined;
  let sink: SmtpSink | undefined;
  afterEach(async () => {
    await server?.close();
    await sink?.close();
    server = undefined;
    sink = undefined;
  });

  it('sends to the address the company has when the mail goes out; drops the notice if it was removed', async () => {
    sink = await startSmtpSink();
    server = await startTestServer({ env: smtpEnv(sink.url), ctx: FAST });
    await setOwner(server, { notification_email: 'dono@bellavista.com.br' });
    const endpoint = await createEndpoint(server);
    await queue(server, disabledNotice(server, endpoint, { heldDeliveries: 1 }));
    await setOwner(server, { notification_email: 'novo-dono@bellavista.com.br', language: 'en' });
    await queue(server, disabledNotice(server, endpoint, { heldDeliveries: 2 }));
    await setOwner(server, { notification_email: null });
    await queue(server, disabledNotice(server, endpoint, { heldDeliveries: 3 }));
    expect(await notices(server)).toHaveLength(2);
    await pause(200);
    expect(sink.mails).toEqual([]); // no worker runs yet: queued, not sent
    await setOwner(server, { notification_email: 'novo-dono@bellavista.com.br' });
    server.runtime.startWorker(server.app.log);
    const mails = await sink.waitFor(2);
    expect(mails.map((m) => m.to)).toEqual([
      ['novo-dono@bellavista.com.br'],
      ['novo-dono@bellavista.com.br'],
    ]);
    expect(mails.map((m) => /\d+ deliver(y is|ies are) held/.exec(m.text)?.[0])).toEqual([
      '1 delivery is held',
      '2 deliveries are held',
    ]);

    // Removed before the mail went out: not sent, not retried, and the reason recorded.
    await server.runtime.noticeSender!.stop(1000);
    await setOwner(server, { notification_email: 'dono@bellavista.com.br' });
    await queue(server, disabledNotice(server, endpoint, { at: new Date(Date.now() + 5).toISOString() }));
    await setOwner(server, { notification_email: null });
    const fresh = await startTestServer({
      env: smtpEnv(sink.url),
      ctx: FAST,
      worker: true,
      dataDir: server.dataDir,
      databaseUrl: server.databaseUrl,
    });
    try {
      const dropped = await eventually(async () => {
        const rows = await notices(fresh);
        return rows[2]?.last_error ? rows[2] : undefined;
      });
      expect(dropped).toMatchObject({ sent_at: null, next_attempt_at: null, attempts: 1 });
      expect(dropped.last_error).toContain('no notification_email');
      await pause(200);
      expect(sink.mails).toHaveLength(2);
    } finally {
      await fresh.close();
    }
  });

  it('retries while the SMTP server is down and delivers once when it is back', async () => {
    const port = await closedPort();
    server = await startTestServer({ env: smtpEnv(`smtp://127.0.0.1:${port}`), worker: true, ctx: FAST });
    await setOwner(server, { notification_email: 'dono@bellavista.com.br' });
    const endpoint = await createEndpoint(server);
    await queue(server, disabledNotice(server, endpoint));
    const failed = await eventually(async () => {
      const [row] = await notices(server!);
      return row && row.attempts >= 1 && row.last_error ? row : undefined;
    });
    expect(failed.sent_at).toBeNull();
    expect(failed.next_attempt_at).not.toBeNull();
    expect(failed.last_error).toMatch(/ECONNECTION|ECONNREFUSED|ESOCKET/);
    sink = await startSmtpSink({ port });
    await sink.waitFor(1);
    const [row] = await eventually(async () => {
      const rows = await notices(server!);
      return rows[0]?.sent_at ? rows : undefined;
    });
    expect(row!.attempts).toBeGreaterThanOrEqual(2);
    expect(row!.last_error).toBeNull();
    await pause(700);
    expect(sink.mails).toHaveLength(1);
  });

  it('retries a temporary refusal (451) and delivers once', async () => {
    sink = await startSmtpSink({
      refuse: (_to, n) => (n <= 2 ? { code: 451, message: 'try again later' } : null),
    });
    server = await startTestServer({ env: smtpEnv(sink.url), worker: true, ctx: FAST });
    await setOwner(server, { notification_email: 'dono@bellavista.com.br' });
    await queue(server, disabledNotice(server, await createEndpoint(server)));
    await sink.waitFor(1);
    await eventually(async () => (await notices(server!))[0]?.sent_at);
    await pause(700);
    expect(sink.rcptAttempts).toHaveLength(3);
    expect(sink.mails).toHaveLength(1);
    expect((await notices(server))[0]).toMatchObject({ attempts: 3, last_error: null });
  });

  it('gives up after one try on a permanent refusal (550), and after the last retry on temporary ones', async () => {
    sink = await startSmtpSink({
      refuse: (to) => (to.startsWith('unknown') ? { code: 550, message: 'no such user' } : { code: 421 }),
    });
    server = await startTestServer({ env: smtpEnv(sink.url), worker: true, ctx: FAST });
    const endpoint = await createEndpoint(server);
    await setOwner(server, { notification_email: 'unknown@bellavista.com.br' });
    await queue(server, disabledNotice(server, endpoint));
    const refused = await eventually(async () => {
      const [row] = await notices(server!);
      return row?.last_error ? row : undefined;
    });
    expect(refused).toMatchObject({
      attempts: 1,
      next_attempt_at: null,
      sent_at: null,
      lease_expires_at: null,
    });
    expect(refused.last_error).toContain('550');
    await setOwner(server, { notification_email: 'dono@bellavista.com.br' });
    await queue(server, disabledNotice(server, endpoint, { at: new Date(Date.now() + 1).toISOString() }));
    // A schedule of three retries: four tries in all, then given up.
    const spent = await eventually(async () => {
      const rows = await notices(server!);
      return rows[1] && rows[1].next_attempt_at === null ? rows[1] : undefined;
    }, 15_000);
    expect(spent).toMatchObject({ attempts: 4, sent_at: null });
    expect(spent.last_error).toContain('421');
    await pause(800);
    expect(sink.rcptAttempts.filter((r) => r.startsWith('unknown'))).toHaveLength(1);
    expect(sink.rcptAttempts.filter((r) => r.startsWith('dono'))).toHaveLength(4);
    expect(sink.mails).toEqual([]);
  });
});
