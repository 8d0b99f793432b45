import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { verify as octokitVerify } from '@octokit/webhooks-methods';
import { parseEvent } from '@zupy/webhooks';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_DIST } from '../src/http/admin-static.js';
import { startReceiver, type Receiver } from './helpers/receiver.js';
import { onPostgres } from './helpers/test-database.js';
import { startTestServer, type TestServer } from './helpers/test-server.js';

const SCREENSHOTS = fileURLToPath(new URL('../../../test-output/screenshots/', import.meta.url));
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** The panel in real headless Chromium against a real `zupy` server (once: it needs no second database). */
describe.skipIf(onPostgres)('the admin panel in Chromium', () => {
  let server: TestServer;
  let receiver: Receiver;
  let browser: Browser;
  let page: Page;
  const consoleErrors: string[] = [];

  beforeAll(async () => {
    expect(fs.existsSync(path.join(ADMIN_DIST, 'index.html')), 'run `npm run build` first').toBe(true);
    expect(fs.existsSync(CHROMIUM), 'apt-get install -y chromium').toBe(true);
    fs.mkdirSync(SCREENSHOTS, { recursive: true });
    server = await startTestServer({ worker: true });
    receiver = await startReceiver();
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
      ],
    });
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    page.on('console', (message) => {
      if (message.type() === 'error') consoleErrors.push(message.text());
    });
    page.on('pageerror', (error) => consoleErrors.push(error.message));
  });
  afterAll(async () => {
    await browser?.close();
    await receiver?.close();
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
    await expect.poll(() => page.getByTestId('balance').textContent()).toBe('2500');
    await page.getByRole('heading', { name: /silver/ }).waitFor();
    await shot('05-profile');
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
    expect(await form.getByRole('group', { name: 'Customer events' }).getByRole('checkbox').count()).toBe(2);
    await form.getByRole('button', { name: 'Create endpoint' }).click();
    await expect.poll(() => page.getByTestId('new-secret').textContent()).toMatch(/^whsec_/);
    const card = page.getByRole('article', { name: receiver.url + '/hooks' });
    await card.getByLabel('Event type').selectOption('customer.registered');
    await card.getByRole('button', { name: 'Send', exact: true }).click();
    const result = card.getByTestId('test-result');
    await expect.poll(() => result.textContent()).toContain('200');
    expect(await result.textContent()).toContain('x-zupy-signature');
    expect(receiver.requests.at(-1)!.headers['x-zupy-test']).toBe('true');
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
    await expect.poll(() => result.textContent()).toContain('"event": "endpoint.disabled"');
    const sent = receiver.requests.at(-1)!;
    expect(sent.headers).toMatchObject({ 'x-zupy-event': 'endpoint.disabled', 'x-zupy-test': 'true' });
    expect(parseEvent(sent.body)).toMatchObject({ event: 'endpoint.disabled', company_id: server.companyId });
    await card.getByRole('button', { name: 'Reveal' }).click();
    await expect.poll(() => card.getByTestId('secret').textContent()).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    await shot('06-webhooks-test');
  });

  it('rotating the secret says what happens to each header; X-Zupy-Signature keeps the old secret meanwhile', async () => {
    const card = page.getByRole('article', { name: receiver.url + '/hooks' });
    const old = (await card.getByTestId('secret').textContent())!;
    await card.getByRole('button', { name: 'Rotate' }).click();
    const notice = card.getByText(/X-Zupy-Signature stays signed with the old secret/);
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
    await expect.poll(() => page.getByRole('status').textContent()).toContain('Scheduled');
    await receiver.waitFor(4);
    expect(receiver.requests.at(-1)!.headers['x-zupy-attempt']).toBe('2');
    await page.reload();
    await page.getByRole('heading', { name: /Attempt 2 · 200/ }).waitFor();
    await shot('08-delivery-detail');
  });

  it('edits the program and switches to Portuguese', async () => {
    await page.getByRole('navigation').getByRole('link', { name: 'Program' }).click();
    await page.getByLabel('Welcome reward').selectOption('coupon');
    await page.getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => page.getByRole('status').textContent()).toContain('Program saved');
    expect((await server.api.get('/api/v2/loyalty/program/')).body.welcome_reward).toEqual({
      type: 'coupon',
    });
    await page.getByLabel('Language').selectOption('pt-BR');
    await page.getByRole('heading', { name: 'Programa' }).waitFor();
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

  it('works at 375 px wide, by keyboard, and logged no console error', async () => {
    await page.setViewportSize({ width: 375, height: 800 });
    await page.getByRole('navigation').getByRole('link', { name: 'Clientes' }).click();
    await page.getByRole('heading', { name: 'Clientes' }).waitFor();
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);
    await shot('11-customers-375px');
    await page.reload();
    await page.getByRole('heading', { name: 'Clientes' }).waitFor();
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Skip to content');
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
