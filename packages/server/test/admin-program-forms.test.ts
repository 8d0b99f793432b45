import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM, launchChromium } from './helpers/chromium.js';
import { checkPanelPage } from './helpers/panel-page-checks.js';
import { ADMIN_DIST } from '../src/http/admin-static.js';
import { onPostgres } from './helpers/test-database.js';
import { startTestServer, type TestServer } from './helpers/test-server.js';
import { createApiKey } from '../src/companies/api-keys.js';

/**
 * The program's earning bonuses and an endpoint's rate limit, edited in the panel in real Chromium,
 * in both languages at 1280 and 390 px (the browser in UTC, the company in America/Manaus: the
 * times shown are the company's): add, read back through the API, change, remove after confirming;
 * a bad value answered with the API's error in the page's language, under the field and naming it.
 */
const SCREENSHOTS = fileURLToPath(new URL('../../../test-output/screenshots/', import.meta.url));
const ZONE = 'America/Manaus';

type Language = 'pt-BR' | 'en';

const WORDS = {
  'pt-BR': {
    add: 'Adicionar bônus',
    newForm: 'Novo bônus',
    editForm: 'Editar bônus',
    edit: 'Editar',
    remove: 'Remover',
    confirmRemove: 'Remover bônus',
    cancel: 'Cancelar',
    saveBonus: 'Salvar bônus',
    type: 'Tipo de bônus',
    multiplier: 'Multiplicador',
    category: 'Categoria',
    description: 'Descrição (opcional)',
    start: 'Das (HH:MM)',
    end: 'Até (HH:MM, sem incluir)',
    startDate: 'De (dd/mm/aaaa)',
    endDate: 'Até (dd/mm/aaaa, inclusive)',
    added: 'Bônus adicionado.',
    saved: 'Bônus salvo.',
    removed: 'Bônus removido.',
    perReal: 'Pontos por real',
    rateLimit: 'Limite de envio (entregas por segundo)',
    newEndpoint: 'Novo endpoint',
    create: 'Criar endpoint',
    save: 'Salvar',
    atLeastOne: 'deve ser pelo menos 1',
    wrongInteger: 'tem o tipo errado (esperado: número inteiro)',
    perSecond: (n: number) => `no máximo ${n === 1000 ? '1.000' : n} por segundo`,
  },
  en: {
    add: 'Add bonus',
    newForm: 'New bonus',
    editForm: 'Edit bonus',
    edit: 'Edit',
    remove: 'Remove',
    confirmRemove: 'Remove bonus',
    cancel: 'Cancel',
    saveBonus: 'Save bonus',
    type: 'Kind of bonus',
    multiplier: 'Multiplier',
    category: 'Category',
    description: 'Description (optional)',
    start: 'From (HH:MM)',
    end: 'Until (HH:MM, not included)',
    startDate: 'From (dd/mm/yyyy)',
    endDate: 'Until (dd/mm/yyyy, included)',
    added: 'Bonus added.',
    saved: 'Bonus saved.',
    removed: 'Bonus removed.',
    perReal: 'Points per real',
    rateLimit: 'Rate limit (deliveries per second)',
    newEndpoint: 'New endpoint',
    create: 'Create endpoint',
    save: 'Save',
    atLeastOne: 'must be at least 1',
    wrongInteger: 'has the wrong type (expected: integer)',
    perSecond: (n: number) => `at most ${n === 1000 ? '1,000' : n} per second`,
  },
} as const;
type Words = (typeof WORDS)[Language];

/** The bonus every scenario starts with, first in the list: the owner's changes are to the second. */
const FIRST = { type: 'category_bonus', category: 'Bebidas', multiplier: 1.2, description: 'Bebidas ×1.2' };

/** One kind of bonus through the form: what to type, a bad value and its message, the change. */
interface Scenario {
  language: Language;
  width: 1280 | 390;
  kind: 'category_bonus' | 'happy_hour' | 'special_promotion';
  fill: (form: Locator, w: Words) => Promise<void>;
  /** A value the API refuses, the field's label and the message in the page's language. */
  bad: { label: (w: Words) => string; message: string };
  fix: (form: Locator, w: Words) => Promise<void>;
  saved: Record<string, unknown>;
  /** How the list says it (the summary line). */
  summary: string;
  /** What the list says R$ 100,00 earns with it. */
  example: string;
  change: (form: Locator, w: Words) => Promise<void>;
  changed: Record<string, unknown>;
}

const SCENARIOS: Scenario[] = [
  {
    language: 'pt-BR',
    width: 390,
    kind: 'happy_hour',
    fill: async (form) => {
      for (const day of ['Segunda', 'Quarta', 'Sexta']) await form.getByLabel(day, { exact: true }).check();
      await form.getByLabel('Das (HH:MM)').fill('17h');
      await form.getByLabel('Até (HH:MM, sem incluir)').fill('16:00');
      await form.getByLabel('Multiplicador', { exact: true }).fill('1,5');
    },
    bad: {
      label: (w) => w.end,
      message: 'deve ser depois do início (17:00); um horário que passa da meia-noite são dois happy hours',
    },
    fix: (form, w) => form.getByLabel(w.end).fill('19h30'),
    saved: {
      type: 'happy_hour',
      weekdays: ['mon', 'wed', 'fri'],
      start: '17:00',
      end: '19:30',
      multiplier: 1.5,
      description: 'Happy hour 17:00–19:30 ×1.5',
    },
    summary: `seg, qua, sex, das 17:00 às 19:30 (${ZONE}) ×1,5 (+50%)`,
    example: 'Um pedido de R$ 100,00 rende 150 pontos em vez de 100 (antes do multiplicador do nível).',
    change: async (form, w) => {
      expect(await form.getByLabel(w.multiplier, { exact: true }).inputValue()).toBe('1,5');
      expect(await form.getByLabel('Segunda', { exact: true }).isChecked()).toBe(true);
      expect(await form.getByLabel('Terça', { exact: true }).isChecked()).toBe(false);
      // A day between the saved ones: the days go in the week's order, not the order ticked.
      await form.getByLabel('Terça', { exact: true }).check();
      await form.getByLabel(w.multiplier, { exact: true }).fill('2');
    },
    // The description was the generated one: it follows the new multiplier instead of staying ×1.5.
    changed: {
      type: 'happy_hour',
      weekdays: ['mon', 'tue', 'wed', 'fri'],
      start: '17:00',
      end: '19:30',
      multiplier: 2,
      description: 'Happy hour 17:00–19:30 ×2',
    },
  },
  {
    language: 'en',
    width: 1280,
    kind: 'category_bonus',
    fill: async (form, w) => {
      await form.getByLabel(w.category, { exact: true }).fill(' Desserts ');
      await form.getByLabel(w.multiplier, { exact: true }).fill('0.5');
    },
    bad: { label: (w) => w.multiplier, message: 'must be at least 1' },
    fix: (form, w) => form.getByLabel(w.multiplier, { exact: true }).fill('1.25'),
    saved: { type: 'category_bonus', category: 'Desserts', multiplier: 1.25, description: 'Desserts ×1.25' },
    summary: 'Items of “Desserts” ×1.25 (+25%)',
    example: 'R$ 100,00 of “Desserts” items earn 125 points instead of 100 (before the tier’s multiplier).',
    change: async (form, w) => {
      expect(await form.getByLabel(w.multiplier, { exact: true }).inputValue()).toBe('1.25');
      // A generated description is left empty, so that it follows the fields.
      expect(await form.getByLabel(w.description).inputValue()).toBe('');
      await form.getByLabel(w.category, { exact: true }).fill('Sweets');
      await form.getByLabel(w.multiplier, { exact: true }).fill('1,5');
      await form.getByLabel(w.description).fill('Sweet week');
    },
    changed: { type: 'category_bonus', category: 'Sweets', multiplier: 1.5, description: 'Sweet week' },
  },
  {
    language: 'pt-BR',
    width: 1280,
    kind: 'special_promotion',
    fill: async (form, w) => {
      await form.getByLabel(w.startDate).fill('31/02/2026');
      await form.getByLabel(w.endDate).fill('30/11/2026');
      await form.getByLabel(w.multiplier, { exact: true }).fill('3');
    },
    bad: { label: (w) => w.startDate, message: 'deve ser uma data como 28/11/2026' },
    fix: (form, w) => form.getByLabel(w.startDate).fill('28/11/2026'),
    saved: {
      type: 'special_promotion',
      start_date: '2026-11-28',
      end_date: '2026-11-30',
      multiplier: 3,
      description: 'Promotion 2026-11-28 to 2026-11-30 ×3',
    },
    summary: 'De 28/11/2026 a 30/11/2026 ×3 (+200%)',
    example: 'Um pedido de R$ 100,00 rende 300 pontos em vez de 100 (antes do multiplicador do nível).',
    change: async (form, w) => {
      expect(await form.getByLabel(w.startDate).inputValue()).toBe('28/11/2026');
      // Before its start: refused, the start date shown the Brazilian way.
      await form.getByLabel(w.endDate).fill('27/11/2026');
      await form.getByRole('button', { name: w.saveBonus }).click();
      await expect
        .poll(() => form.getByRole('alert').textContent())
        .toBe(`${w.endDate}: não pode ser antes do início (28/11/2026)`);
      await form.getByLabel(w.endDate).fill('1/12/2026');
    },
    changed: {
      type: 'special_promotion',
      start_date: '2026-11-28',
      end_date: '2026-12-01',
      multiplier: 3,
      description: 'Promotion 2026-11-28 to 2026-12-01 ×3',
    },
  },
  {
    language: 'en',
    width: 390,
    kind: 'happy_hour',
    fill: async (form, w) => {
      await form.getByLabel('Saturday', { exact: true }).check();
      await form.getByLabel('Sunday', { exact: true }).check();
      await form.getByLabel(w.start).fill('11:30');
      await form.getByLabel(w.end).fill('15:00');
      await form.getByLabel(w.multiplier, { exact: true }).fill('1.555');
    },
    bad: { label: (w) => w.multiplier, message: 'must have at most two decimals' },
    fix: (form, w) => form.getByLabel(w.multiplier, { exact: true }).fill('1.55'),
    saved: {
      type: 'happy_hour',
      weekdays: ['sat', 'sun'],
      start: '11:30',
      end: '15:00',
      multiplier: 1.55,
      description: 'Happy hour 11:30–15:00 ×1.55',
    },
    summary: `Sat, Sun, 11:30 to 15:00 (${ZONE}) ×1.55 (+55%)`,
    example: 'An order of R$ 100,00 earns 155 points instead of 100 (before the tier’s multiplier).',
    change: async (form, w) => {
      await form.getByLabel(w.type).selectOption('special_promotion');
      await form.getByLabel(w.startDate).fill('01/01/2027');
      await form.getByLabel(w.endDate).fill('01/01/2027');
    },
    // Another kind: only the fields of a promotion are sent.
    changed: {
      type: 'special_promotion',
      start_date: '2027-01-01',
      end_date: '2027-01-01',
      multiplier: 1.55,
      description: 'Promotion 2027-01-01 to 2027-01-01 ×1.55',
    },
  },
];

describe.skipIf(onPostgres)('the program’s bonuses and an endpoint’s rate limit in the admin panel', () => {
  let server: TestServer;
  let browser: Browser;
  const pageErrors: string[] = [];
  const program = async () => (await server.api.get('/api/v2/loyalty/program/')).body;

  beforeAll(async () => {
    expect(fs.existsSync(path.join(ADMIN_DIST, 'index.html')), 'run `npm run build` first').toBe(true);
    expect(fs.existsSync(CHROMIUM), 'apt-get install -y chromium').toBe(true);
    fs.mkdirSync(SCREENSHOTS, { recursive: true });
    server = await startTestServer();
    expect((await server.api.request('PATCH', '/api/v2/me/', { time_zone: ZONE })).status).toBe(200);
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  async function open(
    language: Language,
    width: number,
    key = server.apiKey,
  ): Promise<{ context: BrowserContext; page: Page }> {
    const context = await browser.newContext({
      viewport: { width, height: 900 },
      timezoneId: 'UTC',
      locale: language,
    });
    await context.addInitScript(
      ([lang, key]) => {
        localStorage.setItem('zupy.language', lang!);
        sessionStorage.setItem('zupy.apiKey', key!);
      },
      [language, key],
    );
    const page = await context.newPage();
    page.on('pageerror', (error) => pageErrors.push(error.message));
    return { context, page };
  }

  for (const s of SCENARIOS) {
    it(`${s.language} at ${s.width} px: adds a ${s.kind}, changes it and removes it after confirming`, async () => {
      const w = WORDS[s.language];
      const before = await program();
      const reset = await server.api.request('PUT', '/api/v2/loyalty/program/', {
        ...before,
        earning: { points_per_currency: 1, rounding: 'floor', bonuses: [FIRST] },
      });
      expect(reset.status).toBe(200);
      const { context, page } = await open(s.language, s.width);
      const name = `program-bonus-${s.language}-${s.width}`;
      await page.goto(`${server.url}/admin/program`);
      const items = page.getByTestId('bonuses').getByRole('listitem');
      await expect.poll(() => items.count()).toBe(1);
      // An unsaved change in the program's form is not saved by a bonus's own save.
      await page.getByLabel(w.perReal).fill('3');

      await page.getByRole('button', { name: w.add }).click();
      const form = page.getByRole('form', { name: w.newForm });
      await form.getByLabel(w.type).selectOption(s.kind);
      await s.fill(form, w);
      await form.getByRole('button', { name: w.add }).click();
      // Under its field (tied to it), and in the summary with the field's name.
      const field = form.locator('.field', { has: page.getByLabel(s.bad.label(w), { exact: true }) });
      await expect.poll(() => field.locator('.error-text').textContent()).toBe(s.bad.message);
      expect(await page.getByLabel(s.bad.label(w), { exact: true }).getAttribute('aria-invalid')).toBe(
        'true',
      );
      expect(await form.getByRole('alert').textContent()).toBe(`${s.bad.label(w)}: ${s.bad.message}`);
      expect((await program()).earning.bonuses).toEqual([FIRST]);
      await checkPanelPage(page, `${name}-error`, s.width);
      await page.screenshot({ path: path.join(SCREENSHOTS, `${name}-error.png`), fullPage: true });

      await s.fix(form, w);
      await form.getByRole('button', { name: w.add }).click();
      await expect.poll(() => page.getByRole('status').textContent()).toBe(w.added);
      const added = await program();
      expect(added.earning.bonuses).toEqual([FIRST, s.saved]);
      expect(added.earning.points_per_currency).toBe(1);
      expect(await page.getByLabel(w.perReal).inputValue()).toBe('3');
      await expect.poll(() => items.count()).toBe(2);
      expect(await items.nth(1).locator('.bonus-summary').textContent()).toBe(s.summary);
      expect(await items.nth(1).textContent()).toContain(s.example);
      await checkPanelPage(page, `${name}-added`, s.width);
      await page.screenshot({ path: path.join(SCREENSHOTS, `${name}-added.png`), fullPage: true });

      await items.nth(1).getByRole('button', { name: w.edit }).click();
      const edit = page.getByRole('form', { name: w.editForm });
      await s.change(edit, w);
      await edit.getByRole('button', { name: w.saveBonus }).click();
      await expect.poll(() => page.getByRole('status').textContent()).toBe(w.saved);
      expect((await program()).earning.bonuses).toEqual([FIRST, s.changed]);
      expect(await edit.count()).toBe(0);

      // Removing asks; cancelling keeps it, confirming removes it and only it.
      await items.nth(1).getByRole('button', { name: w.remove }).click();
      const dialog = page.getByRole('dialog');
      await dialog.waitFor();
      expect(await dialog.getByRole('heading').textContent()).toContain(
        (await items.nth(1).locator('.bonus-summary').textContent())!,
      );
      await checkPanelPage(page, `${name}-confirm`, s.width);
      await dialog.getByRole('button', { name: w.cancel }).click();
      await dialog.waitFor({ state: 'detached' });
      expect((await program()).earning.bonuses).toEqual([FIRST, s.changed]);
      await items.nth(1).getByRole('button', { name: w.remove }).click();
      await page.getByRole('dialog').getByRole('button', { name: w.confirmRemove }).click();
      await expect.poll(() => page.getByRole('status').textContent()).toBe(w.removed);
      expect((await program()).earning).toEqual({
        points_per_currency: 1,
        rounding: 'floor',
        bonuses: [FIRST],
      });
      await expect.poll(() => items.count()).toBe(1);
      await context.close();
      expect(pageErrors).toEqual([]);
    });
  }

  it('a read-only key sees the bonuses in words and no control to change them', async () => {
    const before = await program();
    await server.api.request('PUT', '/api/v2/loyalty/program/', {
      ...before,
      earning: {
        ...before.earning,
        bonuses: [FIRST, { ...FIRST, category: 'Pizzas', description: 'Noite da pizza' }],
      },
    });
    const { key } = await createApiKey(server.runtime.ctx.db, server.companyId, {
      readOnly: true,
      now: new Date(),
    });
    const { context, page } = await open('pt-BR', 390, key);
    await page.goto(`${server.url}/admin/program`);
    const section = page.getByRole('region', { name: 'Bônus' });
    const items = section.getByRole('listitem');
    await expect.poll(() => items.count()).toBe(2);
    expect(await items.nth(1).locator('.bonus-summary').textContent()).toBe('Itens de “Pizzas” ×1,2 (+20%)');
    // Its own description is shown; a generated one (the first's) is not repeated under the summary.
    expect(await items.nth(1).textContent()).toContain('Noite da pizza');
    expect(await items.nth(0).textContent()).not.toContain('Bebidas ×1.2');
    expect(await section.getByRole('button').count()).toBe(0);
    await checkPanelPage(page, 'program-bonus-read-only', 390);
    await context.close();
  });

  it('pt-BR at 390 px: a tier’s multiplier and the points per real typed key by key keep their comma', async () => {
    const { context, page } = await open('pt-BR', 390);
    await page.goto(`${server.url}/admin/program`);
    const multiplier = page.getByLabel('Multiplicador de pontos (Prata)');
    const perReal = page.getByLabel('Pontos por real');
    await multiplier.clear();
    await multiplier.pressSequentially('1,25');
    await perReal.clear();
    await perReal.pressSequentially('2,5');
    expect(await multiplier.inputValue()).toBe('1,25');
    expect(await perReal.inputValue()).toBe('2,5');
    await page.getByRole('button', { name: 'Salvar', exact: true }).click();
    await expect.poll(() => page.getByRole('status').textContent()).toBe('Programa salvo.');
    const saved = await program();
    expect(saved.tiers[1]).toMatchObject({ name: 'silver', points_multiplier: 1.25 });
    expect(saved.earning.points_per_currency).toBe(2.5);
    // Read again, in the language's decimal; the bonuses' example follows the saved rate.
    await page.reload();
    await expect.poll(() => page.getByLabel('Multiplicador de pontos (Prata)').inputValue()).toBe('1,25');
    expect(await page.getByLabel('Pontos por real').inputValue()).toBe('2,5');
    await page.getByLabel('Idioma').selectOption('en');
    await expect.poll(() => page.getByLabel('Points per real').inputValue()).toBe('2.5');
    expect(await page.getByLabel('Points multiplier (Silver)').inputValue()).toBe('1.25');
    await context.close();
    expect(pageErrors).toEqual([]);
  });

  for (const [language, width] of [
    ['pt-BR', 390],
    ['en', 1280],
    ['en', 390],
    ['pt-BR', 1280],
  ] as const) {
    it(`${language} at ${width} px: sets an endpoint’s rate limit on create, changes it, refuses a bad one and clears it`, async () => {
      const w = WORDS[language];
      const url = `http://127.0.0.1:9/rate-${language}-${width}`;
      const endpointOf = async () =>
        (await server.api.get('/api/v2/webhooks/endpoints/')).body.data.find(
          (e: { url: string }) => e.url === url,
        );
      const { context, page } = await open(language, width);
      const name = `endpoint-rate-${language}-${width}`;
      await page.goto(`${server.url}/admin/webhooks`);
      const create = page.getByRole('form', { name: w.newEndpoint });
      await create.getByLabel('URL').fill(url);
      // 0 is below the limit: refused under the field, in the page's language, nothing created.
      await create.getByLabel(w.rateLimit).fill('0');
      await create.getByRole('button', { name: w.create }).click();
      const createField = create.locator('.field', { has: page.getByLabel(w.rateLimit) });
      await expect.poll(() => createField.locator('.error-text').textContent()).toBe(w.atLeastOne);
      expect(await create.getByLabel(w.rateLimit).getAttribute('aria-invalid')).toBe('true');
      expect(await endpointOf()).toBeUndefined();
      await checkPanelPage(page, `${name}-error`, width);
      await page.screenshot({ path: path.join(SCREENSHOTS, `${name}-error.png`), fullPage: true });
      // 1.000, the Brazilian way, is the upper limit.
      await create.getByLabel(w.rateLimit).fill(language === 'pt-BR' ? '1.000' : '1000');
      await create.getByRole('button', { name: w.create }).click();
      await expect.poll(async () => (await endpointOf())?.rate_limit).toBe(1000);

      const card = page.getByRole('article', { name: url });
      await expect.poll(() => card.getByTestId('flow').textContent()).toBe(w.perSecond(1000));
      await card.locator('summary').click();
      const edit = card.getByRole('form', { name: url });
      expect(await edit.getByLabel(w.rateLimit).inputValue()).toBe('1000');
      await edit.getByLabel(w.rateLimit).fill('20');
      await edit.getByRole('button', { name: w.save, exact: true }).click();
      await expect.poll(async () => (await endpointOf()).rate_limit).toBe(20);
      await expect.poll(() => card.getByTestId('flow').textContent()).toBe(w.perSecond(20));

      // Not a whole number: the API names the field, the page says it in its language.
      await edit.getByLabel(w.rateLimit).fill('2,5');
      await edit.getByRole('button', { name: w.save, exact: true }).click();
      const editField = edit.locator('.field', { has: page.getByLabel(w.rateLimit) });
      await expect.poll(() => editField.locator('.error-text').textContent()).toBe(w.wrongInteger);
      await checkPanelPage(page, `${name}-edit-error`, width);
      await page.screenshot({ path: path.join(SCREENSHOTS, `${name}-edit-error.png`), fullPage: true });
      expect((await endpointOf()).rate_limit).toBe(20);
      // 1001, one above the limit.
      await edit.getByLabel(w.rateLimit).fill('1001');
      await edit.getByRole('button', { name: w.save, exact: true }).click();
      await expect
        .poll(() => editField.locator('.error-text').textContent())
        .toBe(language === 'pt-BR' ? 'deve ser no máximo 1000' : 'must be at most 1000');

      // Saving another field leaves the rate limit as it is.
      await edit.getByLabel(w.rateLimit).fill('20');
      await edit.getByLabel(language === 'pt-BR' ? 'Descrição' : 'Description').fill('CRM');
      await edit.getByRole('button', { name: w.save, exact: true }).click();
      await expect.poll(async () => (await endpointOf()).description).toBe('CRM');
      expect((await endpointOf()).rate_limit).toBe(20);

      // Empty: no limit (null).
      await edit.getByLabel(w.rateLimit).fill('');
      await edit.getByRole('button', { name: w.save, exact: true }).click();
      await expect.poll(async () => (await endpointOf()).rate_limit).toBeNull();
      await expect.poll(() => card.getByTestId('flow').count()).toBe(0);
      await context.close();
      expect(pageErrors).toEqual([]);
    });
  }
});
