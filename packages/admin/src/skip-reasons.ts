import type { CodeParams } from './api.js';
import { FIELD_MESSAGES, fieldErrorText, render, type Message } from './api-messages.js';
import { fieldName } from './field-names.js';
import type { Language, Translate } from './i18n.js';

/**
 * Why a partner's order was skipped (`reason_code`, with `reason_params`), in the panel's language;
 * `other` and a code the panel does not know yet show the API's `reason`.
 * `packages/server/test/panel-messages.test.ts` fails when the server has a code missing here.
 */
const PT_BR: Readonly<Record<string, Message>> = {
  unknown_partner: 'parceiro desconhecido: "{partner}"',
  no_order_id: 'sem número do pedido',
  no_order_value: 'sem valor do pedido, ou não é um valor em reais',
  no_customer_identifier: 'sem como identificar o cliente (telefone, e-mail ou CPF)',
  unknown_customer_no_phone: 'cliente desconhecido, e sem telefone para cadastrá-lo',
  cannot_enroll: 'não foi possível cadastrar o cliente',
  order_credited_elsewhere: 'este número de pedido já foi creditado a outro cliente',
};

const EN: Readonly<Record<string, Message>> = {
  unknown_partner: 'unknown partner: "{partner}"',
  no_order_id: 'no order number',
  no_order_value: 'no order value, or not an amount in BRL',
  no_customer_identifier: 'no way to identify the customer (phone, e-mail or CPF)',
  unknown_customer_no_phone: 'unknown customer, and no phone to enroll them with',
  cannot_enroll: 'could not enroll the customer',
  order_credited_elsewhere: 'this order number was already credited to another customer',
};

/** The dictionaries, for the completeness test. */
export const SKIP_REASON_MESSAGES: Readonly<Record<Language, Readonly<Record<string, Message>>>> = {
  'pt-BR': PT_BR,
  en: EN,
};

/**
 * A skipped order's reason in the panel's language. A refused enrolment names the field and says
 * what is wrong with it, as a form would (`…: CPF os dígitos verificadores não conferem…`).
 */
export function skipReasonText(
  t: Translate,
  order: { reason: string | null; reason_code: string | null; reason_params: Readonly<CodeParams> | null },
): string | null {
  const message =
    order.reason_code === null ? undefined : SKIP_REASON_MESSAGES[t.language][order.reason_code];
  if (message === undefined) return order.reason;
  const params = order.reason_params ?? {};
  const text = render(message, params);
  if (order.reason_code !== 'cannot_enroll' || typeof params.field !== 'string') return text;
  const { field, field_code, ...fieldParams } = params;
  // A field error the panel cannot say yet: the API's whole sentence, rather than half of it.
  if (FIELD_MESSAGES[t.language][String(field_code)] === undefined) return order.reason;
  const problem = fieldErrorText(t, { field, code: String(field_code), detail: '', params: fieldParams });
  return `${text}: ${fieldName(t, field)} ${problem}`;
}
