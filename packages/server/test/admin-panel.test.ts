import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { verify as octokitVerify } from '@octokit/webhooks-methods';
import { parseEvent } from '@zupy/webhooks';
import type { Browser, Page } from 'playwright-core';
import { waitUntil } from './helpers/wait-until.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM, launchChromium } from './helpers/chromium.js';
import { createApiKey } from '../src/companies/api-keys.js';
import { ADMIN_DIST } from '../src/http/admin-static.js';
import { startReceiver, type Receiver } from './helpers/receiver.js';
import { onPostgres } from './helpers/test-database.js';
import { startTestServer, type TestServer } from './helpers/test-server.js';

const SCREENSHOTS = fileURLToPath(new URL('../../../test-output/screenshots/', import.meta.url));

/** What the panel must show for an ISO time in São Paulo (UTC-3): `02/12/2026 14:05`. */
function saoPaulo(iso: string): string {
  const d = new Date(Date.parse(iso) - 3 * 3_600_000);
  const two = (n: number) => String(n).padStart(2, '0');
  return `${two(d.getUTCDate())}/${two(d.getUTCMonth() + 1)}/${d.getUTCFullYear()} ${two(d.getUTCHours())}:${two(d.getUTCMinutes())}`;
}

/** The panel in real headless Chromium against a real `zupy` server (once: it needs no second database). */
describe.skipIf(onPostgres)('the admin panel in Chromium', () => {
  let server: TestServer;
  let receiver: Receiver;
  /** A CRM that fails (500) while `flakyFailing`, then answers 200. */
  let flaky: Receiver;
  let flakyFailing = true;
  let browser: Browser;
  let page: Page;
  const consoleErrors: string[] = [];

  beforeAll(async () => {
    expect(fs.existsSync(path.join(ADMIN_DIST, 'index.html')), 'run `npm run build` first').toBe(true);
    expect(fs.existsSync(CHROMIUM), 'apt-get install -y chromium').toBe(true);
    fs.mkdirSync(SCREENSHOTS, { recursive: true });
    server = await startTestServer({
      worker: true,
      // Fast retries and a short failure streak, so an endpoint is disabled within a second; the
      // first probe an hour later, so none comes while the panel is looked at.
      env: {
        ZUPY_RETRY_SCHEDULE: '0s,300ms,300ms,300ms,300ms',
        ZUPY_ENDPOINT_DISABLE_AFTER: '500ms',
        ZUPY_ENDPOINT_PROBE_SCHEDULE: '1h',
      },
    });
    receiver = await startReceiver();
    flaky = await startReceiver(() => (flakyFailing ? { status: 500 } : { status: 200 }));
    browser = await launchChromium();
    // A fixed zone (UTC-3, no daylight saving since 2019), so the times the panel shows can be checked.
    page = await browser.newPage({ viewport: { width: 1280, height: 900 }, timezoneId: 'America/Sao_Paulo' });
    page.on('console', (message) => {
      if (message.type() === 'error') consoleErrors.push(message.text());
    });
    page.on('pageerror', (error) => consoleErrors.push(error.message));
  });
  afterAll(async () => {
    await browser?.close();
    await receiver?.close();
    await flaky?.close();
    await server?.close();
  });

  /** Chromium logs every 4xx response; drop the ones a step provoked on purpose, keep anything else. */
  const dropProvoked = (status: number) => {
    const kept = consoleErrors.filter(
      (e) => !e.includes(`Failed to load resource: the server responded with a status of ${status}`),
    );
    consoleErrors.splice(0, consoleErrors.length, ...kept);
  };
  const shot = (name: string) =>
    page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage: true });

  it('signs in with an API key and shows the overview', async () => {
    await page.goto(`${server.url}/admin/`);
    await page.getByLabel('Idioma').selectOption('en');
    await shot('01-sign-in');
    await page.getByLabel('API key').fill('zupy_pk_' + 'x'.repeat(32));
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('not valid');
    dropProvoked(401);
    await page.getByLabel('API key').fill(server.apiKey);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Overview' }).waitFor();
    await shot('02-overview');
  });

  it('registers a customer, showing the API’s field errors inline', async () => {
    await page.getByRole('navigation').getByRole('link', { name: 'Customers' }).click();
    const form = page.getByRole('form', { name: 'Register a customer' });
    await form.getByLabel('Name').fill('João Silva');
    await form.getByLabel('WhatsApp').fill('123');
    await form.getByLabel('CPF').fill('123.456.789-00');
    await form.getByRole('button', { name: 'Register a customer' }).click();
    await expect.poll(() => form.getByText('is not a valid phone number').count()).toBe(1);
    await expect.poll(() => form.getByText('check digits do not match').count()).toBe(1);
    expect(await form.getByLabel('WhatsApp').getAttribute('aria-invalid')).toBe('true');
    dropProvoked(422);
    await shot('03-register-errors');
    await form.getByLabel('WhatsApp').fill('(11) 96595-8122');
    await form.getByLabel('CPF').fill('529.982.247-25');
    await form.getByRole('button', { name: 'Register a customer' }).click();
    await expect.poll(() => form.getByRole('status').textContent()).toContain('Customer registered');
    await page.getByRole('cell', { name: /João Silva/ }).waitFor();
    await shot('04-customers');
  });

  it('adds points on the profile page', async () => {
    await page.getByRole('link', { name: 'João Silva' }).click();
    const add = page.getByRole('form', { name: 'Add points' });
    await add.getByLabel('Amount').fill('2400');
    await add.getByRole('button', { name: 'Add points' }).click();
    await expect.poll(() => page.getByTestId('balance').textContent()).toBe('2,500');
    await page.getByRole('heading', { name: /Silver/ }).waitFor();
    await shot('05-profile');
  });

  it('records an order on the profile, as a cashier on a phone (390 px): points by the rules, once', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    const form = page.getByRole('form', { name: 'Record an order' });
    await form.getByLabel('Order number').fill('PDV-77');
    await form.getByLabel('Order value (R$)').fill('abc');
    await form.getByRole('button', { name: 'Record an order' }).click();
    await expect.poll(() => form.getByLabel('Order value (R$)').getAttribute('aria-invalid')).toBe('true');
    expect(await form.getByLabel('Order number').getAttribute('aria-invalid')).toBeNull();
    dropProvoked(422);
    await form.getByLabel('Order value (R$)').fill('1.010,90');
    await form.getByLabel('Where').selectOption({ label: 'iFood' });
    await form.getByLabel('Payment method').fill('pix');
    await form.getByRole('button', { name: 'Record an order' }).click();
    await expect
      .poll(() => form.getByRole('status').textContent())
      .toBe('+1,010 points (1,010 base, 0 bonus): balance 3,510.');
    await expect.poll(() => page.getByTestId('balance').textContent()).toBe('3,510');
    const row = page.getByRole('row').filter({ hasText: 'Order' }).first();
    expect(await row.textContent()).toContain('1,010');
    expect(page.viewportSize()?.width).toBe(390);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await shot('05b-record-order-390px');
    // The same order again: nothing credited.
    await form.getByLabel('Order number').fill('PDV-77');
    await form.getByLabel('Order value (R$)').fill('1.010,90');
    await form.getByLabel('Where').selectOption({ label: 'iFood' });
    await form.getByRole('button', { name: 'Record an order' }).click();
    await expect
      .poll(() => form.getByRole('status').textContent())
      .toBe('This order was already recorded: nothing credited again.');
    expect(await page.getByTestId('balance').textContent()).toBe('3,510');
    const orders = await server.runtime.ctx.db
      .selectFrom('orders')
      .select(['platform', 'order_id'])
      .execute();
    expect(orders).toEqual([{ platform: 'ifood', order_id: 'PDV-77' }]);
    await page.setViewportSize({ width: 1280, height: 900 });
  });

  it('corrects a customer’s data and consent, exports it and erases another after the typed member id', async () => {
    const edit = page.getByRole('form', { name: 'Edit data' });
    await edit.getByLabel('E-mail', { exact: true }).fill('Joao.Silva@Example.com');
    await edit.getByLabel('Agrees to marketing by WhatsApp').check();
    await edit.getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => edit.getByRole('status').textContent()).toBe('Saved: E-mail, marketing consent.');
    const [joao] = (await server.api.get('/api/v2/customers/?search=Silva')).body.data;
    expect(joao).toMatchObject({
      email: 'joao.silva@example.com',
      marketing_opt_in: { whatsapp: { opted_in: true, channel: 'panel' }, email: { opted_in: false } },
    });
    await expect
      .poll(() => page.getByTestId('consent-whatsapp').textContent())
      .toMatch(/^Given on \d\d\/\d\d\/\d{4}/);
    await edit.getByLabel('CPF').fill('123.456.789-00');
    await edit.getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => edit.getByText('check digits do not match').count()).toBe(1);
    dropProvoked(422);
    await edit.getByLabel('CPF').fill('529.982.247-25');

    const privacy = page.getByRole('region', { name: 'Personal data (LGPD)' });
    const downloading = page.waitForEvent('download');
    await privacy.getByRole('button', { name: 'Export data (JSON)' }).click();
    const file = await downloading;
    expect(file.suggestedFilename()).toBe(`zupy-customer-${joao.member_id}.json`);
    const exported = JSON.parse(fs.readFileSync(await file.path(), 'utf8'));
    expect(exported).toMatchObject({
      member_id: joao.member_id,
      profile: { email: 'joao.silva@example.com' },
    });
    expect(exported.consent_history).toEqual([
      { medium: 'whatsapp', opted_in: true, channel: 'panel', at: expect.any(String) },
    ]);
    await shot('05b-profile-data');

    const maria = (
      await server.api.post('/api/v2/customers/', { phone: '(21) 97777-6666', name: 'Maria Apagar' })
    ).body.customer;
    await page.goto(`${server.url}/admin/customers/${maria.member_id}`);
    const mariaPrivacy = page.getByRole('region', { name: 'Personal data (LGPD)' });
    await mariaPrivacy.getByRole('button', { name: 'Erase personal data' }).click();
    const dialog = page.getByRole('dialog', { name: `Erase the personal data of ${maria.member_id}?` });
    const confirm = dialog.getByRole('button', { name: 'Erase personal data' });
    expect(await confirm.isDisabled()).toBe(true);
    await dialog.getByLabel('Type the member id to confirm').fill(joao.member_id); // another member's: no
    expect(await confirm.isDisabled()).toBe(true);
    await shot('05c-erase-dialog');
    await dialog.getByLabel('Type the member id to confirm').fill(maria.member_id.toLowerCase());
    await confirm.click();
    await page.getByText(`The personal data of ${maria.member_id} was erased.`).waitFor();
    expect((await server.api.get(`/api/v2/customers/${maria.member_id}/`)).status).toBe(404);
    expect((await server.api.get(`/api/v2/customers/${joao.member_id}/`)).status).toBe(200);

    await page.getByRole('navigation').getByRole('link', { name: 'Audit log' }).click();
    await page.getByText(/Hash chain intact \(\d+ entries\)/).waitFor();
    const rows = page.getByRole('row');
    await expect.poll(() => rows.filter({ hasText: 'DELETE /customers/:member_id/' }).count()).toBe(1);
    expect(await rows.filter({ hasText: 'DELETE /customers/:member_id/' }).textContent()).toContain('panel');
    await page.getByLabel('Target id').fill(joao.member_id);
    await page.getByRole('button', { name: 'Filter' }).click();
    await expect.poll(() => rows.filter({ hasText: 'DELETE' }).count()).toBe(0);
    expect(await page.getByRole('table').textContent()).not.toContain('Silva');
    await shot('05d-audit');
    await page.goto(`${server.url}/admin/customers/${joao.member_id}`);
    await page.getByRole('form', { name: 'Add points' }).waitFor();
  });

  it('creates an endpoint, sends a test event and shows the receiver’s 200', async () => {
    await page.getByRole('navigation').getByRole('link', { name: 'Webhooks' }).click();
    const form = page.getByRole('form', { name: 'New endpoint' });
    await form.getByLabel('URL').fill(receiver.url + '/hooks');
    await form.getByLabel('customer.registered').check();
    // The operational events stand apart, under their own legend, and are only sent when checked.
    const operational = form.getByRole('group', { name: 'Operational events' });
    expect(await operational.getByRole('checkbox').count()).toBe(3);
    expect(await operational.textContent()).toContain('never about this endpoint itself');
    await operational.getByLabel('endpoint.disabled').check();
    expect(await form.getByRole('group', { name: 'Customer events' }).getByRole('checkbox').count()).toBe(7);
    await form.getByRole('button', { name: 'Create endpoint' }).click();
    await expect.poll(() => page.getByTestId('new-secret').textContent()).toMatch(/^whsec_/);
    const card = page.getByRole('article', { name: receiver.url + '/hooks' });
    await card.getByLabel('Event type').selectOption('customer.registered');
    await card.getByRole('button', { name: 'Send', exact: true }).click();
    const result = card.getByTestId('test-result');
    await expect.poll(() => result.textContent()).toContain('200');
    expect(await result.textContent()).toContain('x-zupy-signature');
    expect(receiver.requests.at(-1)!.headers['x-zupy-test']).toBe('true');
    // The coupon events are in the test-send menu too, sent as the SDK's samples.
    const before = receiver.requests.length;
    await card.getByLabel('Event type').selectOption('coupon.used');
    await card.getByRole('button', { name: 'Send', exact: true }).click();
    await expect.poll(() => receiver.requests.length).toBe(before + 1);
    expect(receiver.requests.at(-1)!.headers['x-zupy-event']).toBe('coupon.used');
    expect(JSON.parse(receiver.requests.at(-1)!.body).usage.coupon_code).toBe('CZ-7K2M9QXA');
    // And customer.updated and customer.deleted (LGPD), as the SDK's samples.
    for (const type of ['customer.updated', 'customer.deleted']) {
      const count = receiver.requests.length;
      await card.getByLabel('Event type').selectOption(type);
      await card.getByRole('button', { name: 'Send', exact: true }).click();
      await expect.poll(() => receiver.requests.length).toBe(count + 1);
      expect(receiver.requests.at(-1)!.headers['x-zupy-event']).toBe(type);
      expect(parseEvent(receiver.requests.at(-1)!.body)).toMatchObject({
        event: type,
        customer: { member_id: 'ZP-8B23CD41' },
      });
    }
    const [endpoint] = (await server.api.get('/api/v2/webhooks/endpoints/')).body.data;
    expect(endpoint.events).toEqual(['customer.registered', 'endpoint.disabled']);
    expect(await card.textContent()).toContain('customer.registered, endpoint.disabled');

    // The test-send menu offers the operational samples, in their own group.
    const menu = card.getByLabel('Event type');
    expect(await menu.locator('optgroup[label="Operational events"] option').allTextContents()).toEqual([
      'endpoint.disabled',
      'endpoint.enabled',
      'delivery.failed',
    ]);
    await menu.selectOption('endpoint.disabled');
    await card.getByRole('button', { name: 'Send', exact: true }).click();
    await expect.poll(() => result.textContent()).toContain('"event":"endpoint.disabled"');
    const sent = receiver.requests.at(-1)!;
    // The body shown is the bytes that were signed and sent, not a pretty-printed copy.
    expect(await card.getByTestId('signed-body').textContent()).toBe(sent.body);
    expect(sent.headers).toMatchObject({ 'x-zupy-event': 'endpoint.disabled', 'x-zupy-test': 'true' });
    expect(parseEvent(sent.body)).toMatchObject({ event: 'endpoint.disabled', company_id: server.companyId });
    await card.getByRole('button', { name: 'Reveal' }).click();
    await expect.poll(() => card.getByTestId('secret').textContent()).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    await shot('06-webhooks-test');
  });

  it('rotating the secret says what happens to each header; X-Zupy-Signature keeps the old secret meanwhile', async () => {
    const card = page.getByRole('article', { name: receiver.url + '/hooks' });
    const old = (await card.getByTestId('secret').textContent())!;
    // It asks first, saying what happens to each header; cancelling rotates nothing.
    await card.getByRole('button', { name: 'Rotate', exact: true }).click();
    const dialog = page.getByRole('dialog', { name: 'Rotate the signing secret?' });
    expect(await dialog.textContent()).toContain('X-Zupy-Signature stays signed with the old secret');
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Cancel');
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await expect.poll(() => dialog.count()).toBe(0);
    const endpointId = (await server.api.get('/api/v2/webhooks/endpoints/')).body.data[0].id;
    expect((await server.api.get(`/api/v2/webhooks/endpoints/${endpointId}/secret/`)).body.secret).toBe(old);
    await card.getByRole('button', { name: 'Rotate', exact: true }).click();
    await dialog.getByRole('button', { name: 'Rotate the secret' }).click();
    await expect.poll(() => dialog.count()).toBe(0);
    const notice = card
      .getByRole('status')
      .filter({ hasText: /X-Zupy-Signature stays signed with the old secret/ });
    await notice.waitFor();
    expect(await notice.textContent()).toContain('webhook-signature carries both');
    const rotated = (await card.getByTestId('secret').textContent())!;
    expect(rotated).toMatch(/^whsec_/);
    expect(rotated).not.toBe(old);
    const before = receiver.requests.length;
    await card.getByRole('button', { name: 'Send', exact: true }).click();
    const [sent] = (await receiver.waitFor(before + 1)).slice(before);
    expect(await octokitVerify(old, sent!.body, String(sent!.headers['x-zupy-signature']))).toBe(true);
    expect(String(sent!.headers['webhook-signature']).split(' ')).toHaveLength(2);
    await shot('06b-webhooks-rotated');
  });

  it('shows a real delivery in the log, with its attempt, and redelivers it', async () => {
    const reg = await server.api.post('/api/v2/customers/', { phone: '11 98765-0000', name: 'Maria Souza' });
    expect(reg.status).toBe(201);
    await receiver.waitFor(3);
    await page.getByRole('navigation').getByRole('link', { name: 'Deliveries' }).click();
    await page.getByLabel('Status').selectOption('succeeded');
    const realRow = page
      .getByRole('row')
      .filter({ hasText: 'customer.registered' })
      .filter({ hasNotText: 'test' });
    await realRow.first().waitFor();
    await shot('07-deliveries');
    await realRow.first().getByRole('link').click();
    await page.getByRole('heading', { name: /Attempt 1 · 200/ }).waitFor();
    await page.getByRole('button', { name: 'Redeliver' }).click();
    // The page has more than one status (the body's copy button says when it copied).
    await page.getByRole('status').filter({ hasText: 'Scheduled' }).waitFor();
    await receiver.waitFor(4);
    expect(receiver.requests.at(-1)!.headers['x-zupy-attempt']).toBe('2');
    await page.reload();
    await page.getByRole('heading', { name: /Attempt 2 · 200/ }).waitFor();
    await shot('08-delivery-detail');
  });

  it('shows how Zupy paces an endpoint: its in-flight limit and its rate limit', async () => {
    const [endpoint] = (await server.api.get('/api/v2/webhooks/endpoints/')).body.data;
    await server.api.request('PATCH', `/api/v2/webhooks/endpoints/${endpoint.id}/`, { rate_limit: 5 });
    // The worker has sent to it: its limit is on the endpoint within a second.
    const limit = await waitUntil(async () => {
      const res = await server.api.get(`/api/v2/webhooks/endpoints/${endpoint.id}/`);
      return (res.body.concurrency_limit as number | null) ?? undefined;
    });
    await page.getByRole('navigation').getByRole('link', { name: 'Webhooks' }).click();
    const flow = page.getByRole('article', { name: endpoint.url }).getByTestId('flow');
    await expect.poll(() => flow.textContent()).toBe(`up to ${limit} at once · at most 5 per second`);
  });

  it('edits the program and switches to Portuguese', async () => {
    await page.getByRole('navigation').getByRole('link', { name: 'Program' }).click();
    await page.getByLabel('Welcome reward').selectOption('coupon');
    // Earning rules and tier benefits: the second tier (silver), not only the first.
    await page.getByLabel('Points multiplier (Silver)').fill('1,25');
    await page.getByLabel('Benefits, separated by ; (Silver)').fill('Café grátis; Mesa preferencial');
    await page.getByLabel('Points per real').fill('2');
    await page.getByLabel('Rounding').selectOption('round');
    await page.getByLabel('Points expire after (days, 0 = never)').fill('365');
    expect(await page.getByTestId('bonuses').textContent()).toBe('No bonuses yet.');
    await page.getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => page.getByRole('status').textContent()).toContain('Program saved');
    const saved = (await server.api.get('/api/v2/loyalty/program/')).body;
    expect(saved.welcome_reward).toEqual({ type: 'coupon' });
    expect(saved.tiers[1]).toEqual({
      name: 'silver',
      threshold: 2500,
      points_multiplier: 1.25,
      benefits: ['Café grátis', 'Mesa preferencial'],
    });
    expect(saved.tiers[0]).toMatchObject({ points_multiplier: 1, benefits: [] });
    expect(saved.earning).toEqual({ points_per_currency: 2, rounding: 'round', bonuses: [] });
    expect(saved.point_expiration_days).toBe(365);
    await page.getByLabel('Language').selectOption('pt-BR');
    await page.getByRole('heading', { name: 'Programa' }).waitFor();
    expect(await page.getByLabel('Pontos por real').inputValue()).toBe('2');
    expect(await page.getByLabel('Benefícios, separados por ; (Prata)').inputValue()).toBe(
      'Café grátis; Mesa preferencial',
    );
    await shot('09-program-pt-BR');
    await page.getByRole('navigation').getByRole('link', { name: 'Visão geral' }).click();
    await page.getByText('Membros por nível').waitFor();
    await shot('10-overview-pt-BR');
    await page.getByRole('navigation').getByRole('link', { name: 'Webhooks' }).click();
    const form = page.getByRole('form', { name: 'Novo endpoint' });
    await form.getByRole('group', { name: 'Eventos operacionais' }).getByLabel('delivery.failed').waitFor();
    expect(await form.getByRole('group', { name: 'Eventos de clientes' }).textContent()).toContain(
      'todos os eventos de clientes',
    );
    await shot('10b-webhooks-pt-BR');
  });

  describe('an endpoint that went down', () => {
    const crm = () => flaky.url + '/crm';
    let crmId = '';
    const members: Record<'ana' | 'bruno' | 'carla', string> = { ana: '', bruno: '', carla: '' };
    const crmView = async () => (await server.api.get(`/api/v2/webhooks/endpoints/${crmId}/`)).body;
    const register = async (phone: string, name: string) => {
      const res = await server.api.post('/api/v2/customers/', { phone, name });
      expect(res.status).toBe(201);
      return res.body.customer.member_id as string;
    };

    it('is created with per-customer order by default, disabled after failing, and holds what comes meanwhile', async () => {
      await page.getByRole('navigation').getByRole('link', { name: 'Webhooks' }).click();
      const form = page.getByRole('form', { name: 'Novo endpoint' });
      await form.getByLabel('URL').fill(crm());
      expect(await form.getByLabel('Ordem por cliente').isChecked()).toBe(true);
      expect(await form.getByLabel('Sem ordem (mais rápido)').isChecked()).toBe(false);
      await form.getByRole('button', { name: 'Criar endpoint' }).click();
      await expect.poll(() => page.getByTestId('new-secret').count()).toBe(1);
      const created = (await server.api.get('/api/v2/webhooks/endpoints/')).body.data.find(
        (e: { url: string }) => e.url === crm(),
      );
      expect(created).toMatchObject({ ordering: 'member', events: [], enabled: true });
      crmId = created.id;

      members.ana = await register('11 98765-1001', 'Ana Lima');
      await expect
        .poll(async () => (await crmView()).disabled_code, { timeout: 15_000 })
        .toBe('failure_streak');
      const sent = flaky.requests.length;
      members.bruno = await register('11 98765-1002', 'Bruno Costa');
      const upgrade = await server.api.put(`/api/v2/customers/${members.bruno}/tier/`, { tier: 'gold' });
      expect(upgrade.status).toBe(200);
      members.carla = await register('11 98765-1003', 'Carla Dias');
      await expect.poll(async () => (await crmView()).held_deliveries).toBe(4);
      // "Never sent while disabled": watched for more than twice the retry interval (300 ms) that
      // would have sent them, had the endpoint been enabled.
      await new Promise((resolve) => setTimeout(resolve, 700));
      expect(flaky.requests).toHaveLength(sent);
    });

    it('shows why it is disabled, how many deliveries it holds and when Zupy checks it next', async () => {
      const view = await crmView();
      expect(Date.parse(view.next_probe_at)).toBeGreaterThan(Date.now() + 50 * 60_000);
      const probe = saoPaulo(view.next_probe_at);
      await page.reload();
      const status = page.getByRole('article', { name: crm() }).getByTestId('disabled-status');
      await status.waitFor();
      // The card fills in as its reads answer: each text is awaited, not read once.
      await expect.poll(() => status.textContent()).toContain('Desativado após falhas seguidas');
      await expect.poll(() => status.textContent()).toContain(`desde ${saoPaulo(view.disabled_at)}`);
      await expect
        .poll(() => status.getByTestId('held').textContent())
        .toBe('4 entregas retidas — serão enviadas quando o endpoint for reativado');
      await expect
        .poll(() => status.getByTestId('next-probe').textContent())
        .toBe(`Próxima verificação automática: ${probe}`);
      expect(await status.getByLabel('Descartar as 4 entregas retidas').isChecked()).toBe(false);
      await shot('12-endpoint-disabled-pt-BR');

      await page.getByRole('navigation').getByRole('link', { name: 'Visão geral' }).click();
      const item = page.getByRole('listitem').filter({ hasText: crm() });
      await item.waitFor();
      await expect.poll(() => item.textContent()).toContain('Desativado após falhas seguidas');
      await expect.poll(() => item.textContent()).toContain('4 entregas retidas');
      await expect.poll(() => item.textContent()).toContain(`próxima verificação automática: ${probe}`);
      await shot('12b-overview-attention-pt-BR');
    });

    it('filters the delivery log by "retida", and a waiting delivery links to the one it waits for', async () => {
      await page.getByRole('navigation').getByRole('link', { name: 'Entregas' }).click();
      await page.getByLabel('Situação').selectOption({ label: 'retida' });
      const rows = page.locator('tbody tr');
      // Every row shown is held, and all four are shown.
      await expect.poll(() => rows.count()).toBe(4);
      expect(await rows.filter({ hasText: 'retida' }).count()).toBe(4);
      await shot('13-deliveries-held');
      const held = (await server.api.get(`/api/v2/webhooks/deliveries/?endpoint_id=${crmId}&status=held`))
        .body.data as { id: string; event_type: string; waiting_for: string | null }[];
      const waiting = held.find((d) => d.event_type === 'tier.upgraded')!;
      expect(waiting.waiting_for).toMatch(/^dlv_/);
      const row = rows.filter({ hasText: waiting.id });
      expect(await row.textContent()).toContain('aguardando a entrega anterior do mesmo cliente');
      await row.getByRole('link', { name: waiting.waiting_for! }).click();
      await page.getByRole('heading', { name: waiting.waiting_for! }).waitFor();
      expect(await page.locator('main').textContent()).toContain('customer.registered');
    });

    it('re-enables from the panel: discarding asks first, and the held deliveries reach the receiver in order', async () => {
      await page.getByRole('navigation').getByRole('link', { name: 'Webhooks' }).click();
      const card = page.getByRole('article', { name: crm() });
      await card.getByLabel('Descartar as 4 entregas retidas').check();
      await card.getByRole('button', { name: 'Reativar' }).click();
      const dialog = page.getByRole('dialog', { name: 'Descartar as 4 entregas retidas?' });
      await dialog.waitFor();
      await dialog.getByRole('button', { name: 'Cancelar' }).click();
      await expect.poll(() => dialog.count()).toBe(0);
      expect(await crmView()).toMatchObject({ enabled: false, held_deliveries: 4 });

      await card.getByLabel('Descartar as 4 entregas retidas').uncheck();
      flakyFailing = false;
      const before = flaky.requests.length;
      await card.getByRole('button', { name: 'Reativar' }).click();
      await expect
        .poll(() => card.getByRole('status').first().textContent())
        .toContain('Reativado: as 4 entregas retidas estão sendo enviadas');
      await flaky.waitForMembers(Object.values(members));
      await flaky.waitFor(before + 4);
      const arrived = flaky.requests.slice(before);
      const ofBruno = arrived.filter((r) => JSON.parse(r.body).customer.member_id === members.bruno);
      expect(ofBruno.map((r) => r.headers['x-zupy-event'])).toEqual(['customer.registered', 'tier.upgraded']);
      expect(arrived.every((r) => r.headers['x-zupy-test'] === undefined)).toBe(true);
      expect(await crmView()).toMatchObject({ enabled: true, disabled_code: null, held_deliveries: 0 });
      await expect.poll(() => card.getByTestId('disabled-status').count()).toBe(0);
    });

    it('deleting asks first, naming the URL and what it drops; cancelling keeps the endpoint', async () => {
      const card = page.getByRole('article', { name: crm() });
      // The form was drawn while the endpoint was disabled: saving another change leaves it enabled.
      await card.getByText('Salvar…').click();
      const form = card.getByRole('form', { name: crm() });
      expect(await form.getByLabel('Ativo', { exact: true }).isChecked()).toBe(true);
      await form.getByLabel('Sem ordem (mais rápido)').check();
      await form.getByRole('button', { name: 'Salvar' }).click();
      await expect.poll(async () => (await crmView()).ordering).toBe('none');
      expect((await crmView()).enabled).toBe(true);
      // Paused by hand: only a person re-enables it.
      await form.getByLabel('Ativo', { exact: true }).uncheck();
      await form.getByRole('button', { name: 'Salvar' }).click();
      await expect.poll(async () => (await crmView()).disabled_code).toBe('manual');
      await expect
        .poll(() => card.getByTestId('disabled-status').textContent())
        .toContain('Desativado manualmente');
      expect(await card.getByTestId('disabled-status').textContent()).toContain(
        'Só uma pessoa pode reativá-lo',
      );
      expect(await card.getByTestId('next-probe').count()).toBe(0);
      await register('11 98765-1004', 'Daniel Rocha');
      await expect.poll(async () => (await crmView()).held_deliveries).toBe(1);

      const dialog = page.getByRole('dialog', { name: 'Excluir este endpoint?' });
      await card.getByRole('button', { name: 'Excluir' }).click();
      await expect
        .poll(() => dialog.textContent())
        .toContain(
          'A 1 entrega retida será descartada. Para guardá-la, deixe o endpoint desativado em vez de excluir.',
        );
      expect(await dialog.textContent()).toContain(`${crm()} será excluído`);
      expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Cancelar');
      await shot('14-delete-confirmation');
      await dialog.getByRole('button', { name: 'Cancelar' }).click();
      await expect.poll(() => dialog.count()).toBe(0);
      await card.getByRole('button', { name: 'Excluir' }).click();
      await dialog.waitFor();
      await page.keyboard.press('Escape');
      await expect.poll(() => dialog.count()).toBe(0);
      expect((await server.api.get(`/api/v2/webhooks/endpoints/${crmId}/`)).status).toBe(200);
      expect(await card.count()).toBe(1);

      await card.getByRole('button', { name: 'Excluir' }).click();
      await dialog.getByRole('button', { name: 'Excluir' }).click();
      await expect.poll(() => card.count()).toBe(0);
      expect((await server.api.get(`/api/v2/webhooks/endpoints/${crmId}/`)).status).toBe(404);
      const log = (await server.api.get(`/api/v2/webhooks/deliveries/?endpoint_id=${crmId}`)).body.data;
      expect(log.map((d: { status: string }) => d.status).sort()).toEqual([
        'failed',
        'succeeded',
        'succeeded',
        'succeeded',
        'succeeded',
      ]);
    });
  });

  it('sets where and in which language Zupy e-mails the owner, keeps it over a reload, and clears it', async () => {
    const me = async () => (await server.api.get('/api/v2/me/')).body;
    expect(await me()).toMatchObject({ notification_email: null, language: 'pt-BR' });
    await page.getByRole('navigation').getByRole('link', { name: 'Configurações' }).click();
    const form = page.getByRole('form', { name: 'Avisos por e-mail' });
    const address = form.getByLabel('Endereço para avisos');
    const language = form.getByLabel('Idioma dos e-mails');
    await address.waitFor();
    expect(await form.textContent()).toContain(
      'quando um dos seus endpoints de webhook é desativado ou reativado',
    );
    expect(await form.textContent()).toContain('só se o operador deste servidor configurou o SMTP');
    expect(await form.getByTestId('notices-current').textContent()).toBe(
      'Sem endereço: o Zupy não envia avisos por e-mail.',
    );
    expect(await language.inputValue()).toBe('pt-BR');

    // Saved as the API keeps it (trimmed, lowercased), in English, and still there after a reload.
    await address.fill('  Dono@BellaVista.com.br ');
    await language.selectOption({ label: 'English' });
    await form.getByRole('button', { name: 'Salvar' }).click();
    await expect.poll(() => form.getByRole('status').textContent()).toBe('Configurações salvas.');
    expect(await me()).toMatchObject({ notification_email: 'dono@bellavista.com.br', language: 'en' });
    // The form takes the answer in an effect after the render that shows the status: poll.
    await expect.poll(() => address.inputValue()).toBe('dono@bellavista.com.br');
    await page.reload();
    await address.waitFor();
    await expect.poll(() => address.inputValue()).toBe('dono@bellavista.com.br');
    expect(await language.inputValue()).toBe('en');
    expect(await form.getByTestId('notices-current').textContent()).toBe(
      'Os avisos vão para dono@bellavista.com.br.',
    );
    // The panel's own language is not the e-mails' language.
    await page.getByRole('heading', { name: 'Configurações' }).waitFor();
    await shot('15-settings-pt-BR');

    // A bad address: the API's 422, under the field, in Portuguese; nothing changes.
    await address.fill('dono@@bellavista');
    await form.getByRole('button', { name: 'Salvar' }).click();
    await expect.poll(() => form.getByText('não é um endereço de e-mail válido').count()).toBe(1);
    expect(await address.getAttribute('aria-invalid')).toBe('true');
    expect(await form.getByRole('status').count()).toBe(0);
    await address.fill(`${'a'.repeat(243)}@example.com`); // 255 characters, one over the limit
    await form.getByRole('button', { name: 'Salvar' }).click();
    await expect.poll(() => form.getByText('deve ter no máximo 254 caracteres').count()).toBe(1);
    expect(await form.getByText('não é um endereço de e-mail válido').count()).toBe(0);
    dropProvoked(422);
    await shot('15b-settings-error-pt-BR');
    expect(await me()).toMatchObject({ notification_email: 'dono@bellavista.com.br', language: 'en' });

    // A read-only key sees the values, in a form it cannot use.
    const { key } = await createApiKey(server.runtime.ctx.db, server.companyId, {
      readOnly: true,
      now: new Date(),
    });
    const viewer = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    try {
      await viewer.goto(`${server.url}/admin/settings`);
      await viewer.getByLabel('Chave de API').fill(key);
      await viewer.getByRole('button', { name: 'Entrar' }).click();
      const seen = viewer.getByRole('form', { name: 'Avisos por e-mail' });
      await seen.getByTestId('notices-current').waitFor();
      expect(await seen.getByLabel('Endereço para avisos').inputValue()).toBe('dono@bellavista.com.br');
      expect(await seen.getByLabel('Idioma dos e-mails').inputValue()).toBe('en');
      expect(await seen.getByLabel('Endereço para avisos').isEditable()).toBe(false);
      expect(await seen.getByLabel('Idioma dos e-mails').isEnabled()).toBe(false);
      expect(await seen.getByRole('button', { name: 'Salvar' }).isEnabled()).toBe(false);
      expect(await viewer.getByText('Chave somente leitura').count()).toBe(1);
      await viewer.screenshot({ path: path.join(SCREENSHOTS, '15c-settings-read-only.png'), fullPage: true });
    } finally {
      await viewer.close();
    }

    // Clearing the address stops the e-mails; the language stays.
    await address.fill('');
    await form.getByRole('button', { name: 'Salvar' }).click();
    await expect.poll(() => form.getByRole('status').textContent()).toBe('Configurações salvas.');
    expect(await me()).toMatchObject({ notification_email: null, language: 'en' });
    expect(await address.getAttribute('aria-invalid')).toBeNull();
    expect(await form.getByTestId('notices-current').textContent()).toBe(
      'Sem endereço: o Zupy não envia avisos por e-mail.',
    );
    await page.reload();
    await address.waitFor();
    expect(await address.inputValue()).toBe('');
  });

  it('shows the customer data controls and the audit log in Portuguese', async () => {
    await page.getByRole('navigation').getByRole('link', { name: 'Auditoria' }).click();
    await page.getByRole('heading', { name: 'Auditoria' }).waitFor();
    await page.getByText(/Cadeia de hashes íntegra/).waitFor();
    expect(await page.getByRole('columnheader').allTextContents()).toEqual([
      'Quando',
      'Quem',
      'Endereço',
      'Ação',
      'Id do alvo',
      'Status',
    ]);
    // Brazilian dates: dd/mm/aaaa.
    expect(await page.getByRole('row').nth(1).textContent()).toMatch(/\d\d\/\d\d\/\d{4}/);
    await shot('16-audit-pt-BR');
    const [joao] = (await server.api.get('/api/v2/customers/?search=Silva')).body.data;
    await page.goto(`${server.url}/admin/customers/${joao.member_id}`);
    const privacy = page.getByRole('region', { name: 'Dados pessoais (LGPD)' });
    await privacy.getByRole('button', { name: 'Exportar dados (JSON)' }).waitFor();
    await privacy.getByRole('button', { name: 'Apagar dados pessoais' }).click();
    const dialog = page.getByRole('dialog', { name: `Apagar os dados pessoais de ${joao.member_id}?` });
    await dialog.getByLabel('Digite o id de membro para confirmar').waitFor();
    await dialog.getByRole('button', { name: 'Cancelar' }).click();
    const edit = page.getByRole('form', { name: 'Editar dados' });
    expect(await edit.getByLabel('Aceita marketing por WhatsApp').isChecked()).toBe(true);
    expect(await page.getByTestId('consent-whatsapp').textContent()).toMatch(
      /^Dado em \d\d\/\d\d\/\d{4}.*via panel$/,
    );
    expect((await server.api.get(`/api/v2/customers/${joao.member_id}/`)).status).toBe(200);
  });

  it('shows the partner inbox, each order’s outcome and why one was skipped (in Portuguese)', async () => {
    const sent = await server.api.post('/api/v2/webhooks/integrations/generic/', [
      { order_id: 'G-1', order_total: '45,50', customer_phone: '11 97777-0042', customer_name: 'Dora' },
      { order_id: 'G-2', order_total: 10 },
    ]);
    expect(sent.status).toBe(202);
    await page.getByRole('navigation').getByRole('link', { name: 'Pedidos de parceiros' }).click();
    const card = page.getByRole('article', { name: sent.body.id });
    await expect
      .poll(async () => {
        await page.reload();
        return card.getByTestId('inbox-status').textContent({ timeout: 2000 });
      })
      .toBe('processado');
    expect(await card.getByTestId('inbox-summary').textContent()).toBe(
      '2 pedidos: 1 creditados, 0 duplicados, 1 ignorados, 1 clientes cadastrados.',
    );
    expect(await card.getByRole('row').nth(1).textContent()).toContain('creditado · cliente novo');
    expect(await card.getByRole('row').nth(2).textContent()).toContain(
      'ignorado: sem como identificar o cliente (telefone, e-mail ou CPF)',
    );
    await shot('16-partner-inbox-pt-BR');
  });

  it('works at 375 px wide, by keyboard, and logged no console error', async () => {
    await page.setViewportSize({ width: 375, height: 800 });
    await page.getByRole('navigation').getByRole('link', { name: 'Clientes' }).click();
    await page.getByRole('heading', { name: 'Clientes' }).waitFor();
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);
    await shot('11-customers-375px');
    await page.reload();
    await page.getByRole('heading', { name: 'Clientes' }).waitFor();
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Pular para o conteúdo');
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.tagName)).toBe('A');
    expect(consoleErrors, consoleErrors.join('\n')).toEqual([]);
  });

  it('serves the panel with security headers', async () => {
    const res = await fetch(`${server.url}/admin/`);
    expect(res.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect((await fetch(`${server.url}/admin/customers/ZP-00000000`)).status).toBe(200);
  });
});
