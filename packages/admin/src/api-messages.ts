import type { ApiError } from './api.js';
import type { Translate } from './i18n.js';

/**
 * The API writes its field errors in English (`errors[].detail`). In Portuguese the panel shows the
 * ones its forms can provoke in Portuguese, matched on the whole text; anything else (a message this
 * table does not know yet) is shown as the API wrote it, never hidden.
 */
const PT_BR: readonly (readonly [RegExp, string])[] = [
  [/^is required$/, 'é obrigatório'],
  [
    /^is required \(the WhatsApp number, e\.g\. (.+)\)$/,
    'é obrigatório (o número de WhatsApp, por exemplo $1)',
  ],
  [/^is not a known field$/, 'não é um campo conhecido'],
  [/^must be one of (.+), or null$/, 'deve ser um de $1, ou null'],
  [/^must be one of (.+)$/, 'deve ser um de $1'],
  [
    /^must be valid Unicode text without NUL characters$/,
    'deve ser texto Unicode válido, sem caracteres NUL',
  ],
  [/^is not a valid e-mail address$/, 'não é um endereço de e-mail válido'],
  [/^must be at most (\d+) characters$/, 'deve ter no máximo $1 caracteres'],
  [
    /^may contain only digits, spaces, \+, -, \. and parentheses$/,
    'pode ter só dígitos, espaços, +, -, . e parênteses',
  ],
  [
    /^is not a valid phone number; use a Brazilian number with area code, or \+country code$/,
    'não é um número de telefone válido; use um número brasileiro com DDD, ou +código do país',
  ],
  [/^must contain only digits, dots and a dash$/, 'deve ter só dígitos, pontos e um traço'],
  [/^must have 11 digits, got (\d+)$/, 'deve ter 11 dígitos, tem $1'],
  [/^is not a valid CPF \(all digits equal\)$/, 'não é um CPF válido (todos os dígitos iguais)'],
  [
    /^check digits do not match: look for a typo$/,
    'os dígitos verificadores não conferem: confira se há erro de digitação',
  ],
  [/^exceeds the balance of (\d+) points$/, 'passa do saldo de $1 pontos'],
  [/^is not a valid absolute URL, e\.g\. (\S+)$/, 'não é uma URL absoluta válida, por exemplo $1'],
  [/^must use https:\/\/ \(or http:\/\/\)$/, 'deve usar https:// (ou http://)'],
  [
    /^must not carry credentials; verify the X-Zupy-Signature header instead$/,
    'não deve levar credenciais; verifique o cabeçalho X-Zupy-Signature em vez disso',
  ],
  [/^must not have a #fragment$/, 'não deve ter um #fragmento'],
  [/^host (\S+) could not be resolved$/, 'o host $1 não foi encontrado'],
  [/^tier "(.+)" is listed twice$/, 'o nível "$1" aparece duas vezes'],
  [
    /^must be greater than the threshold of "(.+)" \((.+)\); list tiers from lowest to highest$/,
    'deve ser maior que o limite de "$1" ($2); liste os níveis do menor para o maior',
  ],
  [
    /^must be an integer of at least 1 when type is "points"$/,
    'deve ser um inteiro de pelo menos 1 quando o tipo é "points"',
  ],
  [
    /^must be at least (\d+)\.(\d\d) \(the minimum purchase\)$/,
    'deve ser de pelo menos R$ $1,$2 (a compra mínima)',
  ],
  [/^must be a percentage above 0 and at most 100$/, 'deve ser um percentual acima de 0 e até 100'],
  [/^must be an amount in BRL above 0$/, 'deve ser um valor em reais acima de 0'],
  [
    /^applies to percentage, product_free and buy_one_get_one only$/,
    'vale só para percentual, produto grátis e compre um, leve dois',
  ],
  [/^is not a reward of this company$/, 'não é uma recompensa desta empresa'],
  [
    /^are required for a product_free coupon: which product is free$/,
    'são obrigatórios num cupom de produto grátis: qual produto sai de graça',
  ],
  [
    /^need an item with a quantity of at least 2 for a buy_one_get_one coupon$/,
    'precisam de um item com quantidade de pelo menos 2 num cupom compre um, leve dois',
  ],
];

/** One of the API's field-error texts in the panel's language. */
export function apiDetail(t: Translate, detail: string): string {
  if (t.language !== 'pt-BR') return detail;
  for (const [pattern, text] of PT_BR) {
    if (pattern.test(detail)) return detail.replace(pattern, text);
  }
  return detail;
}

/** The API's message for `field` in the panel's language, for a `Field`'s `error`. */
export function fieldError(t: Translate, error: ApiError | null, field: string): string | undefined {
  const detail = error?.forField(field);
  return detail === undefined ? undefined : apiDetail(t, detail);
}
