import type { CustomerField } from '@zupy/webhooks';
import type { Kysely } from 'kysely';
import { isUniqueViolation } from '../db/constraint-error.js';
import type { CustomerRow, Tables } from '../db/tables.js';
import { runInTransaction } from '../db/transaction.js';
import { ZupyError, rejectedField, type FieldError } from '../errors.js';
import { customerUpdatedPayload } from '../events/event-payloads.js';
import { recordEvent } from '../events/record-event.js';
import type { AppContext } from '../shared/context.js';
import { normalizeCpf } from './cpf.js';
import { findCustomer, toCustomerProfile, type CustomerProfile } from './customer-profile.js';
import { normalizeEmail } from './email.js';
import { applyConsent, type ConsentInput } from './marketing-consent.js';
import { normalizeName } from './name.js';
import { normalizePhone } from './phone.js';

export const UPDATE_CHANNELS = ['pos', 'mobile_app', 'website', 'api', 'panel'] as const;
export type UpdateChannel = (typeof UPDATE_CHANNELS)[number];

export interface UpdateCustomerInput {
  name?: string | undefined;
  phone?: string | undefined;
  whatsapp?: string | undefined;
  email?: string | null | undefined;
  cpf?: string | null | undefined;
  marketing_opt_in?: ConsentInput | undefined;
  /** Through which channel the change was asked for (recorded with a consent change); default `api`. */
  channel?: UpdateChannel | undefined;
}

interface ValidUpdate {
  whatsapp?: string;
  email?: string | null;
  name?: string;
  cpf?: string | null;
  marketing_opt_in?: ConsentInput;
  channel: UpdateChannel;
}

export interface UpdateResult {
  customer: CustomerProfile;
  changed_fields: CustomerField[];
}

/** The same checks and normalization as registration, for the fields present; all bad ones at once. */
export function validateUpdate(input: UpdateCustomerInput): ValidUpdate {
  const errors: FieldError[] = [];
  const valid: ValidUpdate = { channel: input.channel ?? 'api' };
  const phoneField = input.phone !== undefined ? 'phone' : 'whatsapp';
  const phoneInput = input.phone ?? input.whatsapp;
  if (phoneInput !== undefined) {
    const phone = normalizePhone(phoneInput);
    if (phone.ok) valid.whatsapp = phone.e164;
    else errors.push(rejectedField(phoneField, phone));
  }
  if (input.name !== undefined) {
    const name = normalizeName(input.name);
    if (name.ok) valid.name = name.name;
    else errors.push(rejectedField('name', name));
  }
  if (input.email !== undefined) {
    if (input.email === null || input.email.trim() === '') valid.email = null;
    else {
      const email = normalizeEmail(input.email);
      if (email.ok) valid.email = email.email;
      else errors.push(rejectedField('email', email));
    }
  }
  if (input.cpf !== undefined) {
    if (input.cpf === null || input.cpf.trim() === '') valid.cpf = null;
    else {
      const cpf = normalizeCpf(input.cpf);
      if (cpf.ok) valid.cpf = cpf.cpf;
      else errors.push(rejectedField('cpf', cpf));
    }
  }
  if (input.marketing_opt_in !== undefined) valid.marketing_opt_in = input.marketing_opt_in;
  if (errors.length > 0) {
    throw new ZupyError('ZUPY_VALIDATION_FAILED', errors.map((e) => `${e.field} ${e.detail}`).join('; '), {
      fieldErrors: errors,
    });
  }
  return valid;
}

/** The request's field name for a column, as the 409 names it. */
const FIELD_OF = { whatsapp: 'phone', email: 'email', cpf: 'cpf' } as const;

function conflict(column: keyof typeof FIELD_OF): ZupyError {
  const field = FIELD_OF[column];
  const what = column === 'whatsapp' ? 'phone number' : column === 'email' ? 'e-mail' : 'CPF';
  return new ZupyError('ZUPY_CONFLICT', `another member of this company has this ${what}`, {
    fieldErrors: [{ field, code: 'taken', detail: `belongs to another member of this company` }],
  });
}

/** Another (live) member of the company with this value: a 409 names the field. */
async function checkUnique(
  trx: Kysely<Tables>,
  customer: CustomerRow,
  column: keyof typeof FIELD_OF,
  value: string,
): Promise<void> {
  const other = await trx
    .selectFrom('customers')
    .select('member_id')
    .where('company_id', '=', customer.company_id)
    .where(column, '=', value)
    .where('id', '!=', customer.id)
    .executeTakeFirst();
  if (other) throw conflict(column);
}

/**
 * Corrects a customer's data and/or marketing consent: one transaction with its `customer.updated`
 * (the new values and the changed fields, never the old values). A request that changes nothing
 * records nothing. The phone, CPF or e-mail of another member of the company is a 409.
 */
export async function updateCustomer(
  ctx: AppContext,
  companyId: string,
  memberId: string,
  input: UpdateCustomerInput,
): Promise<UpdateResult> {
  const valid = validateUpdate(input);
  try {
    return await runInTransaction(ctx.db, async (trx) => {
      const customer = await findCustomer(trx, companyId, memberId, true);
      const now = ctx.clock();
      const changed: CustomerField[] = [];
      const set: Partial<Pick<CustomerRow, 'whatsapp' | 'email' | 'name' | 'cpf'>> = {};
      // In the order of customer.updated's `customer`.
      if (valid.whatsapp !== undefined && valid.whatsapp !== customer.whatsapp) {
        await checkUnique(trx, customer, 'whatsapp', valid.whatsapp);
        set.whatsapp = valid.whatsapp;
        changed.push('whatsapp');
      }
      if (valid.email !== undefined && valid.email !== customer.email) {
        if (valid.email !== null) await checkUnique(trx, customer, 'email', valid.email);
        set.email = valid.email;
        changed.push('email');
      }
      if (valid.name !== undefined && valid.name !== customer.name) {
        set.name = valid.name;
        changed.push('name');
      }
      if (valid.cpf !== undefined && valid.cpf !== customer.cpf) {
        if (valid.cpf !== null) await checkUnique(trx, customer, 'cpf', valid.cpf);
        set.cpf = valid.cpf;
        changed.push('cpf');
      }
      let row: CustomerRow = { ...customer, ...set };
      const consent = await applyConsent(trx, row, valid.marketing_opt_in, valid.channel, now);
      row = consent.row;
      if (consent.changed) changed.push('marketing_opt_in');
      if (changed.length === 0) return { customer: toCustomerProfile(customer), changed_fields: [] };
      row = { ...row, updated_at: now.toISOString() };
      await trx
        .updateTable('customers')
        .set({ ...set, updated_at: row.updated_at })
        .where('id', '=', customer.id)
        .execute();
      await recordEvent(trx, customerUpdatedPayload(row, changed, now), now);
      return { customer: toCustomerProfile(row), changed_fields: changed };
    });
  } catch (error) {
    // A concurrent change took the value between the check and the update.
    if (isUniqueViolation(error)) {
      throw new ZupyError('ZUPY_CONFLICT', 'another member of this company has this phone, e-mail or CPF');
    }
    throw error;
  }
}
