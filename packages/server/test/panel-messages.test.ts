/**
 * The admin panel says everything in its language: both dictionaries have the same keys, and every
 * code the server can put in a problem (`code`) or a field error (`errors[].code`) has a message in
 * pt-BR and in English. Adding a code to errors.ts without translating it fails here.
 */
import { describe, expect, it } from 'vitest';
import { ERROR_CODES, FIELD_ERROR_CODES } from '../src/errors.js';
import { DICTIONARIES, translator } from '../../admin/src/i18n.js';
import {
  FIELD_MESSAGES,
  PROBLEM_MESSAGES,
  describeError,
  fieldErrorText,
} from '../../admin/src/api-messages.js';
import { ApiError } from '../../admin/src/api.js';

const LANGUAGES = ['pt-BR', 'en'] as const;

/** Words that are the same in both languages on purpose: names, brands, loanwords Brazilians use. */
const SAME_IN_BOTH = new Set([
  'nav.webhooks',
  'customers.phone',
  'customers.email',
  'customers.cpf',
  'platform.manual',
  'platform.goomer',
  'platform.ifood',
  'platform.repediu',
  'platform.saipos',
  'webhooks.endpoints',
  'webhooks.url',
  'deliveries.endpoint',
  'validate.itemName',
  'audit.status',
  'tier.bronze',
  'tier.vip',
]);

describe('the panel’s messages', () => {
  it('has every key in both languages, and no empty message', () => {
    const pt = Object.keys(DICTIONARIES['pt-BR']).sort();
    const en = Object.keys(DICTIONARIES.en).sort();
    expect(pt).toEqual(en);
    for (const language of LANGUAGES)
      for (const [key, text] of Object.entries(DICTIONARIES[language])) expect(text.trim(), key).not.toBe('');
  });

  it('leaves no English in pt-BR: a message equal in both languages is a listed name or loanword', () => {
    const same = Object.keys(DICTIONARIES.en).filter(
      (key) => DICTIONARIES.en[key as never] === DICTIONARIES['pt-BR'][key as never],
    );
    expect(same.filter((key) => !SAME_IN_BOTH.has(key))).toEqual([]);
  });

  it('translates every problem code of the server, in both languages', () => {
    for (const language of LANGUAGES) {
      const missing = Object.keys(ERROR_CODES).filter((code) => !PROBLEM_MESSAGES[language][code]);
      expect(missing, language).toEqual([]);
      // And none the server does not have (a renamed code would leave a dead translation).
      expect(Object.keys(PROBLEM_MESSAGES[language]).sort(), language).toEqual(
        Object.keys(ERROR_CODES).sort(),
      );
    }
  });

  it('translates every field error code of the server, in both languages', () => {
    for (const language of LANGUAGES) {
      const missing = Object.keys(FIELD_ERROR_CODES).filter(
        (code) => FIELD_MESSAGES[language][code] === undefined,
      );
      expect(missing, language).toEqual([]);
      expect(Object.keys(FIELD_MESSAGES[language]).sort(), language).toEqual(
        Object.keys(FIELD_ERROR_CODES).sort(),
      );
    }
  });

  it('fills in the params, and leaves no placeholder unfilled for the params the server sends', () => {
    const t = translator('pt-BR');
    expect(
      fieldErrorText(t, {
        field: 'cpf',
        code: 'cpf_length',
        detail: 'must have 11 digits, got 9',
        params: { got: 9 },
      }),
    ).toBe('deve ter 11 dígitos, tem 9');
    expect(
      fieldErrorText(t, { field: 'amount', code: 'exceeds_balance', detail: '', params: { balance: 12345 } }),
    ).toBe('passa do saldo de 12.345 pontos');
    expect(
      fieldErrorText(t, {
        field: 'order_value',
        code: 'below_minimum_purchase',
        detail: '',
        params: { minimum: '50.00' },
      }),
    ).toBe('deve ser de pelo menos R$ 50,00 (a compra mínima)');
    expect(
      fieldErrorText(t, {
        field: 'webhook_url',
        code: 'one_of',
        detail: '',
        params: { values: '"a", "b"', nullable: 'true' },
      }),
    ).toBe('deve ser um de "a", "b", ou null');
    expect(
      fieldErrorText(t, {
        field: 'x',
        code: 'too_small',
        detail: '',
        params: { limit: 1, comparison: '>=' },
      }),
    ).toBe('deve ser pelo menos 1');
    expect(
      fieldErrorText(t, { field: 'x', code: 'too_small', detail: '', params: { limit: 0, comparison: '>' } }),
    ).toBe('deve ser maior que 0');
    // A code a newer server invents is shown as the API wrote it, never hidden.
    expect(fieldErrorText(t, { field: 'x', code: 'brand_new', detail: 'is new' })).toBe('is new');
  });

  it('describes a failed call by its problem code, a network failure and anything else in the language', () => {
    const pt = translator('pt-BR');
    const en = translator('en');
    const wrongKey = new ApiError(
      401,
      'Missing or invalid API key',
      'invalid API key',
      [],
      'ZUPY_UNAUTHENTICATED',
    );
    expect(describeError(pt, wrongKey)).toMatch(/^Chave de API ausente ou inválida/);
    expect(describeError(en, wrongKey)).toBe('invalid API key');
    const invalid = new ApiError(
      422,
      'Your request has invalid fields',
      'phone is not…',
      [{ field: 'phone', code: 'phone_invalid', detail: 'is not a valid phone number…' }],
      'ZUPY_VALIDATION_FAILED',
    );
    expect(describeError(pt, invalid)).toBe(
      'Há campos inválidos no pedido: phone não é um número de telefone válido; use um número brasileiro com DDD, ou +código do país',
    );
    expect(describeError(pt, new ApiError(0, 'Network error', 'Failed to fetch', []))).toBe(
      'Não foi possível falar com o servidor.',
    );
    expect(describeError(pt, new TypeError('x'))).toBe('Algo deu errado; tente de novo.');
  });
});
