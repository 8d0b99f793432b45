import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM, launchChromium } from './helpers/chromium.js';
import { ADMIN_DIST } from '../src/http/admin-static.js';
import { onPostgres } from './helpers/test-database.js';
import { JOAO, startTestServer, type TestServer } from './helpers/test-server.js';

const SCREENSHOTS = fileURLToPath(new URL('../../../test-output/screenshots/', import.meta.url));

/** Rewards and coupons in the panel, in real headless Chromium against a real `zupy` server. */
describe.skipIf(onPostgres)('rewards and coupons in the admin panel', () => {
  let server: TestServer;
  let browser: Browser;
  let page: Page;
  let memberId: string;
  const consoleErrors: string[] = [];
  const shot = (name: string) =>
    page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage: true });

  beforeAll(async () => {
    expect(fs.existsSync(path.join(ADMIN_DIST, 'index.html')), 'run `npm run build` first').toBe(true);
    expect(fs.existsSync(CHROMIUM), 'apt-get install -y chromium').toBe(true);
    fs.mkdirSync(SCREENSHOTS, { recursive: true });
    server = await startTestServer();
    memberId = (await server.api.post('/api/v2/customers/', JOAO)).body.customer.member_id;
    await server.api.post(`/api/v2/customers/${memberId}/points/add/`, { amount: 900 }); // 1,000
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1280, height: 900 }, timezoneId: 'America/Sao_Paulo' });
    page.on('console', (message) => {
      if (message.type() === 'error') consoleErrors.push(message.text());
    });
    page.on('pageerror', (error) => consoleErrors.push(error.message));
    await page.goto(`${server.url}/admin/`);
    await page.getByLabel('Idioma').selectOption('en');
    await page.getByLabel('API key').fill(server.apiKey);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Overview' }).waitFor();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('creates a reward with Brazilian money, shows the API’s field errors, edits its stock and archives another', async () => {
    await page.getByRole('navigation').getByRole('link', { name: 'Rewards' }).click();
    const form = page.getByRole('form', { name: 'New reward' });
    await form.getByLabel('Name').fill('10% off');
    await form.getByLabel('Points required').fill('0');
    await form.getByLabel('Discount value (% or R$)').fill('10');
    await form.getByRole('button', { name: 'Create reward' }).click();
    await expect.poll(() => form.getByText('must be at least 1', { exact: true }).count()).toBe(1);
    expect(await form.getByLabel('Points required').getAttribute('aria-invalid')).toBe('true');
    consoleErrors.splice(0); // the 422 provoked on purpose
    await form.getByLabel('Points required').fill('300');
    await form.getByLabel('Maximum discount (R$)').fill('15,00');
    await form.getByLabel('Minimum purchase (R$)').fill('50');
    await form.getByLabel('Stock (empty: unlimited)').fill('3');
    await form.getByRole('button', { name: 'Create reward' }).click();
    const row = page.getByRole('row', { name: '10% off' });
    await row.waitFor();
    expect(await row.textContent()).toContain('10%');
    expect(await row.textContent()).toContain('R$ 15,00');

    await form.getByLabel('Name').fill('Old dessert');
    await form.getByLabel('Points required').fill('100');
    await form.getByLabel('Discount type').selectOption('product_free');
    await form.getByRole('button', { name: 'Create reward' }).click();
    const old = page.getByRole('row', { name: 'Old dessert' });
    await old.getByRole('button', { name: 'Archive' }).click();
    await expect.poll(() => old.textContent()).toContain('archived');

    await row.getByRole('button', { name: 'Edit' }).click();
    const edit = page.getByRole('form', { name: 'Edit reward' });
    expect(await edit.getByLabel('Maximum discount (R$)').inputValue()).toBe('15');
    await edit.getByLabel('Stock (empty: unlimited)').fill('5');
    await edit.getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => row.textContent()).toContain('5');
    const [reward] = (await server.api.get('/api/v2/rewards/?active=true')).body.data;
    expect(reward).toMatchObject({ name: '10% off', stock: 5, maximum_discount: 15, minimum_purchase: 50 });
    await shot('20-rewards');
  });

  it('redeems the reward from the member’s profile and lists the coupon', async () => {
    await page.goto(`${server.url}/admin/customers/${memberId}`);
    const form = page.getByRole('form', { name: 'Redeem a reward' });
    // The archived reward is not offered.
    await expect
      .poll(() => form.getByLabel('Reward').locator('option').allTextContents())
      .toEqual([expect.stringContaining('10% off')]);
    await form.getByRole('button', { name: 'Redeem' }).click();
    await expect
      .poll(() => form.getByTestId('redeem-result').textContent())
      .toMatch(/^Coupon CZ-[0-9A-Z]{8} issued/);
    await expect.poll(() => page.getByTestId('balance').textContent()).toBe('700');
    const coupons = page.getByRole('table', { name: 'Coupons' });
    await expect.poll(() => coupons.textContent()).toContain('active');
    await shot('21-profile-coupon');
  });

  it('validates the coupon on the cashier screen at 390 px, pasting the code in lower case, in Portuguese', async () => {
    const [coupon] = (await server.api.get(`/api/v2/customers/${memberId}/coupons/`)).body.data;
    await page.setViewportSize({ width: 390, height: 844 });
    await page.getByLabel('Language').selectOption('pt-BR');
    await page.getByRole('navigation').getByRole('link', { name: 'Validar cupom' }).click();
    await page.getByRole('heading', { name: 'Validar cupom' }).waitFor();
    await page.getByLabel('Código do cupom').fill(` ${coupon.code.toLowerCase()} `);
    await page.getByRole('button', { name: 'Consultar' }).click();
    await expect.poll(() => page.getByTestId('coupon').textContent()).toContain('10% off');
    expect(await page.getByTestId('coupon').textContent()).toContain('Compra mínima: R$ 50,00');
    const form = page.getByRole('form', { name: 'Validar cupom' });
    await form.getByLabel('Valor do pedido (R$)').fill('49,99');
    await form.getByRole('button', { name: 'Validar cupom' }).click();
    await expect
      .poll(() => form.getByText('deve ser de pelo menos R$ 50,00 (a compra mínima)').count())
      .toBe(1);
    consoleErrors.splice(0); // the 422 below the minimum purchase, provoked on purpose
    await form.getByLabel('Valor do pedido (R$)').fill('120,10');
    await form.getByRole('button', { name: 'Validar cupom' }).click();
    await expect
      .poll(() => page.getByTestId('validation-result').textContent())
      .toBe('Cupom usado: desconto de R$ 12,01, a pagar R$ 108,09.');
    expect(await page.getByTestId('coupon').textContent()).toContain('usado');
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await shot('22-validate-390px');
    const [used] = (await server.api.get(`/api/v2/coupons/issued/?code=${coupon.code}`)).body.data;
    expect(used).toMatchObject({
      status: 'used',
      discount_applied: 12.01,
      final_value: 108.09,
      platform: 'pos',
    });
    const events = (await server.api.get('/api/v2/events/?type=coupon.used')).body.data;
    expect(events.map((e: any) => e.payload.usage.coupon_code)).toEqual([coupon.code]);

    // The same code again: the screen says it is used and offers no validation.
    await page.getByRole('button', { name: 'Próximo cupom' }).click();
    await page.getByLabel('Código do cupom').fill(coupon.code);
    await page.getByRole('button', { name: 'Consultar' }).click();
    await expect.poll(() => page.getByTestId('coupon').textContent()).toContain('usado');
    expect(await page.getByRole('form', { name: 'Validar cupom' }).count()).toBe(0);
    expect(consoleErrors, consoleErrors.join('\n')).toEqual([]);
  });
});
