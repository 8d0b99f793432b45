import fs from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../src/db/database.js';
import { runInTransaction } from '../src/db/transaction.js';
import { queueEndpointNotice } from '../src/notifications/owner-notices.js';
import { startSmtpSink } from './helpers/smtp-sink.js';
import { runCli, startServeProcess } from './helpers/serve-process.js';
import { databaseEnv, freshDatabaseUrl } from './helpers/test-database.js';
import { makeClient, tempDir } from './helpers/test-server.js';

/** The built `zupy serve` with SMTP configured: its startup check, its banner, and an e-mail sent by its worker. */
describe('zupy serve with owner e-mails', () => {
  const dataDir = tempDir('zupy-smtp-cli-');
  afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));
  const password = 'Cli-Pa55word-Secret';

  it('refuses to start with ZUPY_SMTP_URL but no ZUPY_SMTP_FROM, naming the variable and not the password', async () => {
    const env = {
      ...databaseEnv(await freshDatabaseUrl()),
      ZUPY_DATA_DIR: dataDir,
      ZUPY_SMTP_URL: `smtp://zupy:${password}@127.0.0.1:2525`,
    };
    const failure = await runCli(env, 'serve').then(
      () => undefined,
      (error: { code?: number; stderr?: string; stdout?: string }) => error,
    );
    expect(failure?.code).toBe(78);
    expect(failure?.stderr).toContain('ZUPY_SMTP_FROM');
    expect(`${failure?.stderr}${failure?.stdout}`).not.toContain(password);
  });

  it('says where owner e-mails go (password hidden), sends one from its worker, and stops cleanly', async () => {
    const sink = await startSmtpSink({ login: { user: 'zupy', pass: password } });
    const databaseUrl = await freshDatabaseUrl();
    const env = {
      ...databaseEnv(databaseUrl),
      ZUPY_DATA_DIR: dataDir,
      ZUPY_LOG_LEVEL: 'info',
      ZUPY_SMTP_URL: `smtp://zupy:${password}@127.0.0.1:${sink.port}`,
      ZUPY_SMTP_FROM: 'Zupy <zupy@example.com>',
    };
    const serve = await startServeProcess(env);
    try {
      expect(serve.output()).toContain(`E-mails    owner notices via smtp://zupy:***@127.0.0.1:${sink.port}`);
      const key = /comp_demo\. Its API key, shown only this once:\s+(\S+)/.exec(serve.output())?.[1];
      expect(key).toBeDefined();
      const api = makeClient(serve.url, key);
      const set = await api.request('PATCH', '/api/v2/me/', { notification_email: 'dono@demo.example.com' });
      expect(set.status).toBe(200);
      const database = openDatabase({ dataDir, databaseUrl });
      try {
        await runInTransaction(database.db, (trx) =>
          queueEndpointNotice(trx, {
            kind: 'endpoint.disabled',
            companyId: 'comp_demo',
            endpoint: { id: 'ep_cli', url: 'https://crm.example.com/hooks', description: 'CRM' },
            reason: 'the receiver answered 410 Gone',
            reasonCode: 'gone',
            heldDeliveries: 4,
            nextProbeAt: null,
            enabledBy: null,
            at: new Date().toISOString(),
          }),
        );
        await database.syncToDisk();
      } finally {
        await database.close();
      }
      const [mail] = await sink.waitFor(1, 20_000);
      expect(mail!.to).toEqual(['dono@demo.example.com']);
      expect(mail!.text).toContain('Nada se perde: 4 entregas estão retidas');
    } finally {
      serve.child.kill('SIGTERM');
      expect(await serve.exited).toBe(0);
      await sink.close();
    }
    expect(serve.output()).toContain('owner e-mail sent');
    expect(serve.output()).not.toContain(password);
  });
});
