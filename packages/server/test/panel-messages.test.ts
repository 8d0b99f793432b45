/**
 * The admin panel says everything in its language: both dictionaries have the same keys, and every
 * code the server can put in a problem (`code`) or a field error (`errors[].code`) has a message in
 * pt-BR and in English. Adding a code to errors.ts without translating it fails here.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ERROR_CODES, FIELD_ERROR_CODES } from '../src/errors.js';
import { ATTEMPT_ERROR_CODES } from '../src/delivery/attempt-error.js';
import { SKIP_REASON_CODES } from '../src/orders/partner-inbox.js';
import { ATTEMPT_ERROR_MESSAGES, attemptErrorText } from '../../admin/src/attempt-errors.js';
import { FIELD_NAMES, fieldName } from '../../admin/src/field-names.js';
import { SKIP_REASON_MESSAGES, skipReasonText } from '../../admin/src/skip-reasons.js';
import { startTestServer, type TestServer } from './helpers/test-server.js';
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
      'Há campos inválidos no pedido: telefone não é um número de telefone válido; use um número brasileiro com DDD, ou +código do país',
    );
    expect(describeError(pt, new ApiError(0, 'Network error', 'Failed to fetch', []))).toBe(
      'Não foi possível falar com o servidor.',
    );
    expect(describeError(pt, new TypeError('x'))).toBe('Algo deu errado; tente de novo.');
  });
});

/** The codes that mean "read the API's own sentence": the panel has no words of its own for them. */
const SENTENCE_ONLY = new Set(['other']);

describe('the panel’s words for the API’s other codes', () => {
  it('says every attempt error code in both languages (test sends’ not_2xx too), and no code the server lacks', () => {
    const codes = [...Object.keys(ATTEMPT_ERROR_CODES).filter((c) => !SENTENCE_ONLY.has(c)), 'not_2xx'];
    for (const language of LANGUAGES)
      expect(Object.keys(ATTEMPT_ERROR_MESSAGES[language]).sort(), language).toEqual(codes.sort());
  });

  it('says every skip reason code in both languages, and no code the server lacks', () => {
    const codes = Object.keys(SKIP_REASON_CODES).filter((c) => !SENTENCE_ONLY.has(c));
    for (const language of LANGUAGES)
      expect(Object.keys(SKIP_REASON_MESSAGES[language]).sort(), language).toEqual(codes.sort());
  });

  it('formats an attempt’s params Brazilian-style, and shows the API’s sentence for other or a new code', () => {
    const pt = translator('pt-BR');
    const en = translator('en');
    const timeout = {
      error: 'no answer within 10000 ms',
      error_code: 'timeout',
      error_params: { timeout_ms: 10_000 },
    };
    expect(attemptErrorText(pt, timeout)).toBe('sem resposta em 10.000 ms');
    expect(attemptErrorText(en, timeout)).toBe('no answer within 10,000 ms');
    expect(
      attemptErrorText(pt, {
        error: 'connection refused',
        error_code: 'connection_refused',
        error_params: null,
      }),
    ).toBe('conexão recusada: nada atende nesse endereço e porta');
    expect(
      attemptErrorText(pt, {
        error: 'certificate refused (CERT_HAS_EXPIRED): …',
        error_code: 'tls_certificate',
        error_params: { tls_code: 'CERT_HAS_EXPIRED' },
      }),
    ).toMatch(/^certificado recusado \(CERT_HAS_EXPIRED\)/);
    expect(
      attemptErrorText(pt, {
        error: 'the receiver answered 503, not 2xx',
        error_code: 'not_2xx',
        error_params: { status: 503 },
      }),
    ).toBe('o receptor respondeu 503, não 2xx');
    for (const error_code of ['other', 'brand_new'])
      expect(attemptErrorText(pt, { error: 'EPROTO: wrong version', error_code, error_params: null })).toBe(
        'EPROTO: wrong version',
      );
    expect(attemptErrorText(pt, { error: null, error_code: null, error_params: null })).toBeNull();
  });

  it('says why an order was skipped; a refused enrolment names the field and what is wrong with it', () => {
    const pt = translator('pt-BR');
    expect(
      skipReasonText(pt, { reason: 'no order id', reason_code: 'no_order_id', reason_params: null }),
    ).toBe('sem número do pedido');
    expect(
      skipReasonText(pt, {
        reason: 'unknown partner "saipos_v0"',
        reason_code: 'unknown_partner',
        reason_params: { partner: 'saipos_v0' },
      }),
    ).toBe('parceiro desconhecido: "saipos_v0"');
    expect(
      skipReasonText(pt, {
        reason: 'cannot enroll the customer: cpf must have 11 digits, got 9',
        reason_code: 'cannot_enroll',
        reason_params: { field: 'cpf', field_code: 'cpf_length', got: 9 },
      }),
    ).toBe('não foi possível cadastrar o cliente: CPF deve ter 11 dígitos, tem 9');
    // A field error code the panel does not know: the API's whole sentence, not half of it.
    expect(
      skipReasonText(pt, {
        reason: 'cannot enroll the customer: name is odd',
        reason_code: 'cannot_enroll',
        reason_params: { field: 'name', field_code: 'brand_new' },
      }),
    ).toBe('cannot enroll the customer: name is odd');
    expect(skipReasonText(pt, { reason: 'old words', reason_code: 'other', reason_params: null })).toBe(
      'old words',
    );
  });

  it('names fields in the language, lists counted from 1; an unknown name as the API wrote it', () => {
    const pt = translator('pt-BR');
    const en = translator('en');
    expect(fieldName(pt, 'whatsapp')).toBe('WhatsApp');
    expect(fieldName(pt, 'phone')).toBe('telefone');
    expect(fieldName(pt, 'url')).toBe('URL');
    expect(fieldName(pt, 'tiers[1].threshold')).toBe('nível 2 › limite');
    expect(fieldName(en, 'tiers[1].threshold')).toBe('tier 2 › threshold');
    expect(fieldName(pt, 'earning.bonuses[0].start')).toBe('pontos por pedido › bônus 1 › início');
    expect(fieldName(pt, 'Idempotency-Key')).toBe('Idempotency-Key');
    expect(fieldName(pt, 'brand_new')).toBe('brand_new');
    // Totals with the language's separators (the customers page's count).
    expect(pt.plural('customers.total', 1234)).toBe('1.234 clientes');
    expect(en.plural('customers.total', 1234)).toBe('1,234 customers');
    const invalid = new ApiError(
      422,
      'Your request has invalid fields',
      '',
      [
        { field: 'cpf', code: 'cpf_check_digits', detail: '' },
        { field: 'email', code: 'email_invalid', detail: '' },
      ],
      'ZUPY_VALIDATION_FAILED',
    );
    expect(describeError(pt, invalid)).toBe(
      'Há campos inválidos no pedido: CPF os dígitos verificadores não conferem: confira se há erro de digitação; e-mail não é um endereço de e-mail válido',
    );
  });

  describe('every field a request can carry', () => {
    let server: TestServer;
    let names: string[];
    beforeAll(async () => {
      server = await startTestServer();
      const doc = (await server.api.get('/api/v2/openapi.json')).body;
      names = requestFieldNames(doc);
    });
    afterAll(() => server.close());

    it('has a name in both languages (from the OpenAPI document: bodies, queries, paths, headers)', () => {
      expect(names.length).toBeGreaterThan(50);
      expect(names).toContain('whatsapp');
      for (const language of LANGUAGES) {
        const missing = names.filter((n) => FIELD_NAMES[language][n.toLowerCase()] === undefined);
        expect(missing, language).toEqual([]);
      }
    });

    it('has the same names in both languages, and leaves no English in pt-BR but names and loanwords', () => {
      expect(Object.keys(FIELD_NAMES['pt-BR']).sort()).toEqual(Object.keys(FIELD_NAMES.en).sort());
      const same = Object.keys(FIELD_NAMES.en).filter((n) => FIELD_NAMES.en[n] === FIELD_NAMES['pt-BR'][n]);
      expect(same.sort()).toEqual([
        'cpf',
        'cursor',
        'email',
        'endpoint_id',
        'id',
        'idempotency-key',
        'items[]',
        'url',
        'whatsapp',
      ]);
    });
  });
});

/** Every property name of the request bodies, and every parameter name, of the OpenAPI document. */
function requestFieldNames(doc: any): string[] {
  const names = new Set<string>();
  const seen = new Set<unknown>();
  const walk = (schema: any): void => {
    if (!schema || typeof schema !== 'object' || seen.has(schema)) return;
    seen.add(schema);
    if (typeof schema.$ref === 'string') walk(doc.components.schemas[schema.$ref.split('/').at(-1)]);
    for (const [name, child] of Object.entries<any>(schema.properties ?? {})) {
      names.add(name);
      walk(child);
    }
    walk(schema.items);
    if (typeof schema.additionalProperties === 'object') walk(schema.additionalProperties);
    for (const key of ['anyOf', 'oneOf', 'allOf']) for (const child of schema[key] ?? []) walk(child);
  };
  for (const item of Object.values<any>(doc.paths)) {
    for (const operation of Object.values<any>(item)) {
      if (!operation || typeof operation !== 'object') continue;
      for (const parameter of operation.parameters ?? []) names.add(parameter.name);
      for (const content of Object.values<any>(operation.requestBody?.content ?? {})) walk(content.schema);
    }
  }
  return [...names].sort();
}
