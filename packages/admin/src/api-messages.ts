import { ApiError, type FieldError } from './api.js';
import { fieldName } from './field-names.js';
import type { Language, Translate } from './i18n.js';

/**
 * The API's problems and field errors in the panel's language, by their stable codes: a problem's
 * `code` (ZUPY_…) and each field error's `code` (with its `params`), never by matching the English
 * `detail`. `packages/server/test/panel-messages.test.ts` fails when the server has a code that is
 * missing here, in either language. A code the panel does not know yet (a newer server) falls back
 * to the API's English text rather than hiding it.
 */

export type Params = Readonly<Record<string, string | number>>;
/** A message: a template with `{param}` placeholders, or a function of the params. */
export type Message = string | ((p: Params) => string);

const PT_BR_FIELD: Readonly<Record<string, Message>> = {
  required: (p) => (p.with !== undefined ? `é obrigatório com ${p.with}` : 'é obrigatório'),
  unknown_field: 'não é um campo conhecido',
  one_of: (p) => `deve ser um de ${p.values}${p.nullable === 'true' ? ', ou null' : ''}`,
  wrong_type: (p) => `tem o tipo errado (esperado: ${TYPE_PT[String(p.type)] ?? p.type})`,
  too_small: (p) =>
    p.comparison === '>' ? `deve ser maior que ${p.limit}` : `deve ser pelo menos ${p.limit}`,
  too_large: (p) =>
    p.comparison === '<' ? `deve ser menor que ${p.limit}` : `deve ser no máximo ${p.limit}`,
  too_short: 'deve ter pelo menos {limit} caracteres',
  too_long: 'deve ter no máximo {limit} caracteres',
  too_few_items: 'deve ter pelo menos {limit} itens',
  too_many_items: 'deve ter no máximo {limit} itens',
  duplicate_items: 'repete um item',
  not_multiple_of: (p) =>
    p.limit === 0.01 ? 'deve ter no máximo duas casas decimais' : `deve ser múltiplo de ${p.limit}`,
  pattern_mismatch: 'não está no formato esperado',
  format_invalid: 'não é um valor válido ({format})',
  invalid: 'é inválido',
  unstorable_text: 'deve ser texto Unicode válido, sem caracteres NUL',
  too_deep: 'tem mais de {limit} níveis de listas e objetos',
  length_out_of_range: 'deve ter de {min} a {max} caracteres',
  company_id_format: 'deve ser como comp_bella_vista: "comp_" e letras minúsculas, dígitos ou _',
  invalid_cursor: 'não é um cursor devolvido por esta API',
  phone_characters: 'pode ter só dígitos, espaços, +, -, . e parênteses',
  phone_invalid: 'não é um número de telefone válido; use um número brasileiro com DDD, ou +código do país',
  email_invalid: 'não é um endereço de e-mail válido',
  cpf_characters: 'deve ter só dígitos, pontos e um traço',
  cpf_length: 'deve ter 11 dígitos, tem {got}',
  cpf_repeated: 'não é um CPF válido (todos os dígitos iguais)',
  cpf_check_digits: 'os dígitos verificadores não conferem: confira se há erro de digitação',
  taken: 'pertence a outro membro desta empresa',
  time_zone_invalid: 'deve ser um fuso horário IANA, como America/Sao_Paulo ou America/Manaus',
  datetime_invalid: 'deve ser data e hora ISO 8601, como 2025-08-26T19:30:00-03:00',
  in_future: 'está no futuro',
  time_invalid: 'deve ser um horário como 17:00',
  date_invalid: 'deve ser uma data como 2025-11-28',
  not_after_start:
    'deve ser depois do início ({start}); um horário que passa da meia-noite são dois happy hours',
  before_start: 'não pode ser antes do início ({start})',
  order_credited_elsewhere: 'este pedido já foi creditado a outro membro',
  not_a_tier: 'não é um nível deste programa ({tiers})',
  duplicate_tier: 'o nível "{tier}" aparece duas vezes',
  threshold_not_increasing:
    'deve ser maior que o limite de "{tier}" ({threshold}); liste os níveis do menor para o maior',
  tiers_empty: 'liste pelo menos um nível, ou desative os níveis',
  bonus_field_missing: 'é obrigatório num bônus do tipo {type}',
  bonus_field_unknown: 'não é um campo de um bônus do tipo {type}',
  bonus_category_taken: 'a categoria "{category}" já tem um bônus ({at})',
  welcome_points_invalid: 'deve ser um inteiro de pelo menos 1 quando a recompensa é em pontos',
  welcome_reward_not_coupon: 'vale só para uma recompensa de boas-vindas em cupom',
  unknown_reward: 'não é uma recompensa desta empresa',
  percentage_out_of_range: 'deve ser um percentual acima de 0 e até 100',
  amount_not_positive: 'deve ser um valor em reais acima de 0',
  not_applicable: 'vale só para percentual, produto grátis e compre um, leve dois',
  must_be_zero: 'deve ser 0 para {type}: os itens dão o desconto',
  exceeds_balance: (p) => `passa do saldo de ${formatInt('pt-BR', p.balance)} pontos`,
  below_minimum_purchase: (p) => `deve ser de pelo menos ${formatMoney(p.minimum)} (a compra mínima)`,
  items_required: 'são obrigatórios num cupom de produto grátis: qual produto sai de graça',
  items_need_pair: 'precisam de um item com quantidade de pelo menos 2 num cupom compre um, leve dois',
  idempotency_key_invalid: 'deve ter de 1 a 255 caracteres ASCII imprimíveis, sem espaços',
  idempotency_key_reused: 'já foi usada com outro pedido',
  only_with_enabled: 'só pode ser enviado com "enabled": true',
  url_invalid: 'não é uma URL absoluta válida, por exemplo https://crm.example.com/webhooks/zupy',
  url_scheme: 'deve usar https:// (ou http://)',
  url_credentials: 'não deve levar usuário nem senha; verifique o cabeçalho X-Zupy-Signature em vez disso',
  url_fragment: 'não deve ter um #fragmento',
  url_forbidden_address:
    '{host} é ou aponta para um endereço não público (loopback, privado, link-local ou reservado); webhooks só alcançam endereços públicos',
  url_unresolvable: 'o host {host} não foi encontrado',
  option_invalid: 'opção inválida',
};

const EN_FIELD: Readonly<Record<string, Message>> = {
  required: (p) => (p.with !== undefined ? `is required with ${p.with}` : 'is required'),
  unknown_field: 'is not a known field',
  one_of: (p) => `must be one of ${p.values}${p.nullable === 'true' ? ', or null' : ''}`,
  wrong_type: 'has the wrong type (expected: {type})',
  too_small: (p) =>
    p.comparison === '>' ? `must be greater than ${p.limit}` : `must be at least ${p.limit}`,
  too_large: (p) => (p.comparison === '<' ? `must be less than ${p.limit}` : `must be at most ${p.limit}`),
  too_short: 'must have at least {limit} characters',
  too_long: 'must be at most {limit} characters',
  too_few_items: 'must have at least {limit} items',
  too_many_items: 'must have at most {limit} items',
  duplicate_items: 'lists an item twice',
  not_multiple_of: (p) =>
    p.limit === 0.01 ? 'must have at most two decimals' : `must be a multiple of ${p.limit}`,
  pattern_mismatch: 'does not have the expected form',
  format_invalid: 'is not a valid {format}',
  invalid: 'is invalid',
  unstorable_text: 'must be valid Unicode text without NUL characters',
  too_deep: 'is nested deeper than {limit} levels of arrays and objects',
  length_out_of_range: 'must be {min} to {max} characters',
  company_id_format: 'must look like comp_bella_vista: "comp_" then lowercase letters, digits or _',
  invalid_cursor: 'is not a cursor returned by this API',
  phone_characters: 'may contain only digits, spaces, +, -, . and parentheses',
  phone_invalid: 'is not a valid phone number; use a Brazilian number with area code, or +country code',
  email_invalid: 'is not a valid e-mail address',
  cpf_characters: 'must contain only digits, dots and a dash',
  cpf_length: 'must have 11 digits, got {got}',
  cpf_repeated: 'is not a valid CPF (all digits equal)',
  cpf_check_digits: 'check digits do not match: look for a typo',
  taken: 'belongs to another member of this company',
  time_zone_invalid: 'must be an IANA time zone name, like America/Sao_Paulo or America/Manaus',
  datetime_invalid: 'must be an ISO 8601 date and time, like 2025-08-26T19:30:00-03:00',
  in_future: 'is in the future',
  time_invalid: 'must be a time like 17:00',
  date_invalid: 'must be a date like 2025-11-28',
  not_after_start: 'must be later than start ({start}); a window past midnight is two happy hours',
  before_start: 'must not be before the start ({start})',
  order_credited_elsewhere: 'this order was already credited to another member',
  not_a_tier: 'is not a tier of this program ({tiers})',
  duplicate_tier: 'tier "{tier}" is listed twice',
  threshold_not_increasing:
    'must be greater than the threshold of "{tier}" ({threshold}); list tiers from lowest to highest',
  tiers_empty: 'list at least one tier, or disable tiers',
  bonus_field_missing: 'is required for a {type} bonus',
  bonus_field_unknown: 'is not a field of a {type} bonus',
  bonus_category_taken: 'category "{category}" already has a bonus ({at})',
  welcome_points_invalid: 'must be an integer of at least 1 when the reward is points',
  welcome_reward_not_coupon: 'is only for a coupon welcome reward',
  unknown_reward: 'is not a reward of this company',
  percentage_out_of_range: 'must be a percentage above 0 and at most 100',
  amount_not_positive: 'must be an amount in BRL above 0',
  not_applicable: 'applies to percentage, product_free and buy_one_get_one only',
  must_be_zero: 'must be 0 for {type}: the items give the discount',
  exceeds_balance: (p) => `exceeds the balance of ${formatInt('en', p.balance)} points`,
  below_minimum_purchase: (p) => `must be at least ${formatMoney(p.minimum)} (the minimum purchase)`,
  items_required: 'are required for a product_free coupon: which product is free',
  items_need_pair: 'need an item with a quantity of at least 2 for a buy_one_get_one coupon',
  idempotency_key_invalid: 'must be 1 to 255 printable ASCII characters without spaces',
  idempotency_key_reused: 'was already used with a different request',
  only_with_enabled: 'may only be given with "enabled": true',
  url_invalid: 'is not a valid absolute URL, e.g. https://crm.example.com/webhooks/zupy',
  url_scheme: 'must use https:// (or http://)',
  url_credentials: 'must not carry credentials; verify the X-Zupy-Signature header instead',
  url_fragment: 'must not have a #fragment',
  url_forbidden_address:
    '{host} is or resolves to a non-public (loopback, private, link-local or reserved) address; webhooks may only reach public addresses',
  url_unresolvable: 'host {host} could not be resolved',
  option_invalid: 'invalid option',
};

const TYPE_PT: Readonly<Record<string, string>> = {
  object: 'objeto',
  array: 'lista',
  string: 'texto',
  number: 'número',
  integer: 'número inteiro',
  boolean: 'verdadeiro ou falso',
  null: 'null',
};

/** Each problem code's title, what the panel says when a call fails without a field to point at. */
const PT_BR_PROBLEM: Readonly<Record<string, string>> = {
  ZUPY_VALIDATION_FAILED: 'Há campos inválidos no pedido',
  ZUPY_INSUFFICIENT_BALANCE: 'Saldo de pontos insuficiente',
  ZUPY_IDEMPOTENCY_KEY_REUSED: 'Idempotency-Key já usada com outro pedido',
  ZUPY_MALFORMED_REQUEST: 'Pedido malformado',
  ZUPY_UNAUTHENTICATED:
    'Chave de API ausente ou inválida: confira se colou a chave inteira (zupy_pk_…) e se ela não foi revogada',
  ZUPY_READ_ONLY_KEY: 'Esta chave de API é só de leitura',
  ZUPY_NOT_FOUND: 'Não encontrado',
  ZUPY_METHOD_NOT_ALLOWED: 'Método não permitido',
  ZUPY_CONFLICT: 'Conflito com o estado atual',
  ZUPY_PAYLOAD_TOO_LARGE: 'Corpo do pedido acima de 1 MB',
  ZUPY_UNSUPPORTED_MEDIA_TYPE: 'Envie JSON com Content-Type: application/json',
  ZUPY_RATE_LIMITED: 'Pedidos demais: espere um pouco e tente de novo',
  ZUPY_LIMIT_REACHED: 'Limite atingido',
  ZUPY_UNAVAILABLE: 'Serviço indisponível: tente de novo em instantes',
  ZUPY_STORAGE_FULL: 'Armazenamento cheio no servidor',
  ZUPY_INTERNAL: 'Erro inesperado no servidor; ele foi registrado',
};

const EN_PROBLEM: Readonly<Record<string, string>> = {
  ZUPY_VALIDATION_FAILED: 'Your request has invalid fields',
  ZUPY_INSUFFICIENT_BALANCE: 'Insufficient points balance',
  ZUPY_IDEMPOTENCY_KEY_REUSED: 'Idempotency-Key already used with another request',
  ZUPY_MALFORMED_REQUEST: 'Malformed request',
  ZUPY_UNAUTHENTICATED:
    'Missing or invalid API key: check that you pasted the whole key (zupy_pk_…) and that it was not revoked',
  ZUPY_READ_ONLY_KEY: 'This API key is read-only',
  ZUPY_NOT_FOUND: 'Not found',
  ZUPY_METHOD_NOT_ALLOWED: 'Method not allowed',
  ZUPY_CONFLICT: 'Conflict with the current state',
  ZUPY_PAYLOAD_TOO_LARGE: 'Request body over 1 MB',
  ZUPY_UNSUPPORTED_MEDIA_TYPE: 'Send JSON with Content-Type: application/json',
  ZUPY_RATE_LIMITED: 'Too many requests: wait a moment and try again',
  ZUPY_LIMIT_REACHED: 'Limit reached',
  ZUPY_UNAVAILABLE: 'Service unavailable: try again shortly',
  ZUPY_STORAGE_FULL: 'The server’s storage is full',
  ZUPY_INTERNAL: 'Unexpected server error; it has been logged',
};

/** The dictionaries, for the completeness test. */
export const FIELD_MESSAGES: Readonly<Record<Language, Readonly<Record<string, Message>>>> = {
  'pt-BR': PT_BR_FIELD,
  en: EN_FIELD,
};
export const PROBLEM_MESSAGES: Readonly<Record<Language, Readonly<Record<string, string>>>> = {
  'pt-BR': PT_BR_PROBLEM,
  en: EN_PROBLEM,
};

function formatInt(language: Language, value: string | number | undefined): string {
  return typeof value === 'number' ? new Intl.NumberFormat(language).format(value) : String(value);
}

function formatMoney(value: string | number | undefined): string {
  const n = Number(value);
  if (!Number.isFinite(n)) return String(value);
  return new Intl.NumberFormat('pt-BR', { style: 'currency', currency: 'BRL' })
    .format(n)
    .replace(/\u00a0/g, ' ');
}

export function render(message: Message, params: Params): string {
  if (typeof message === 'function') return message(params);
  return message.replace(/\{(\w+)\}/g, (whole, name: string) =>
    params[name] === undefined ? whole : String(params[name]),
  );
}

/** One field error in the panel's language, by its code; the API's English when the code is new. */
export function fieldErrorText(t: Translate, error: FieldError): string {
  const message = FIELD_MESSAGES[t.language][error.code];
  return message === undefined ? error.detail : render(message, error.params ?? {});
}

/** The API's message for `field` in the panel's language, for a `Field`'s `error`. */
export function fieldError(t: Translate, error: ApiError | null, field: string): string | undefined {
  const found = error?.forField(field);
  return found === undefined ? undefined : fieldErrorText(t, found);
}

/**
 * The words for a failed call in the panel's language: the problem's title by its code, followed by
 * each field's message (`phone: não é um número…`); no answer at all is a network error.
 */
export function describeError(t: Translate, error: unknown): string {
  if (!(error instanceof ApiError)) return t('error.unexpected');
  if (error.status === 0) return t('error.network');
  const title = (error.code && PROBLEM_MESSAGES[t.language][error.code]) || error.title || error.detail;
  // In English the API's own detail is the most precise sentence there is.
  if (error.fieldErrors.length === 0) return t.language === 'en' && error.detail ? error.detail : title;
  return `${title}: ${error.fieldErrors.map((e) => `${fieldName(t, e.field)} ${fieldErrorText(t, e)}`).join('; ')}`;
}
