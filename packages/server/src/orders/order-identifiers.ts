import { normalizeCpf } from '../customers/cpf.js';
import { normalizeEmail } from '../customers/email.js';
import { normalizePhone } from '../customers/phone.js';
import type { PartnerOrder } from './partners/partner.js';

/** A feed order's customer as the customers table stores them (E.164, lowercase e-mail, CPF digits). */
export interface Identifiers {
  whatsapp: string | null;
  email: string | null;
  cpf: string | null;
}

/** The customer's identifiers that are valid; a malformed one is as good as none. */
export function identifiersOf(order: PartnerOrder): Identifiers {
  const phone = order.customer.phone === null ? null : normalizePhone(order.customer.phone);
  const email = order.customer.email === null ? null : normalizeEmail(order.customer.email);
  const digits = order.customer.cpf?.replace(/\D/g, '') ?? '';
  const cpf = digits.length === 11 ? normalizeCpf(digits) : null;
  return {
    whatsapp: phone?.ok ? phone.e164 : null,
    email: email?.ok ? email.email : null,
    cpf: cpf?.ok ? cpf.cpf : null,
  };
}
