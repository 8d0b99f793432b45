import type { WelcomeReward } from '@zupy/webhooks';
import { sql, type Insertable, type Kysely } from 'kysely';
import { isUniqueViolation } from '../db/constraint-error.js';
import { preparedQuery, valuesOf } from '../db/prepared-query.js';
import type { CustomerRow, CustomersTable, Tables } from '../db/tables.js';
import { ZupyError, rejectedField, type FieldError } from '../errors.js';
import { customerRegisteredPayload } from '../events/event-payloads.js';
import { recordEvent } from '../events/record-event.js';
import { startingTier } from '../program/evaluate-tier.js';
import { programFrom } from '../program/program-store.js';
import type { Program } from '../program/program.js';
import type { AppContext } from '../shared/context.js';
import { applyTierUpgrade } from './apply-tier-upgrade.js';
import { normalizeCpf } from './cpf.js';
import { toCustomerProfile, type Channel, type CustomerProfile } from './customer-profile.js';
import { normalizeEmail } from './email.js';
import { applyConsent, type ConsentInput } from './marketing-consent.js';
import { normalizeName } from './name.js';
import { normalizePhone } from './phone.js';
import { runInTransaction } from '../db/transaction.js';
import { issueCoupon } from '../coupons/issue-coupon.js';
import { findReward } from '../rewards/reward-store.js';

export interface RegisterCustomerInput {
  phone?: string | undefined;
  whatsapp?: string | undefined;
  name: string;
  email?: string | null | undefined;
  cpf?: string | null | undefined;
  channel?: Channel | undefined;
  marketing_opt_in?: ConsentInput | undefined;
}

export type MatchedOn = 'phone' | 'cpf' | 'email';

export type RegistrationResult =
  | { created: true; customer: CustomerProfile }
  | { created: false; matched_on: MatchedOn; customer: CustomerProfile };

export interface ValidRegistration {
  whatsapp: string;
  name: string;
  email: string | null;
  cpf: string | null;
  channel: Channel;
  /** What the customer answered about marketing, if asked (recorded with when and the channel). */
  marketing_opt_in?: ConsentInput | undefined;
}

const MAX_MEMBER_ID_TRIES = 8;

/** Checks and normalizes every field, reporting all the bad ones at once. */
export function validateRegistration(input: RegisterCustomerInput): ValidRegistration {
  const errors: FieldError[] = [];
  const phoneField = input.phone !== undefined ? 'phone' : 'whatsapp';
  const phoneInput = input.phone ?? input.whatsapp;
  let whatsapp = '';
  if (phoneInput === undefined) {
    errors.push({
      field: 'phone',
      code: 'required',
      detail: 'is required (the WhatsApp number, e.g. (11) 96595-8122)',
    });
  } else {
    const phone = normalizePhone(phoneInput);
    if (phone.ok) whatsapp = phone.e164;
    else errors.push(rejectedField(phoneField, phone));
  }
  const normalized = normalizeName(input.name);
  const name = normalized.ok ? normalized.name : '';
  if (!normalized.ok) errors.push(rejectedField('name', normalized));
  let email: string | null = null;
  if (input.email !== undefined && input.email !== null && input.email.trim() !== '') {
    const result = normalizeEmail(input.email);
    if (result.ok) email = result.email;
    else errors.push(rejectedField('email', result));
  }
  let cpf: string | null = null;
  if (input.cpf !== undefined && input.cpf !== null && input.cpf.trim() !== '') {
    const result = normalizeCpf(input.cpf);
    if (result.ok) cpf = result.cpf;
    else errors.push(rejectedField('cpf', result));
  }
  if (errors.length > 0) {
    throw new ZupyError('ZUPY_VALIDATION_FAILED', errors.map((e) => `${e.field} ${e.detail}`).join('; '), {
      fieldErrors: errors,
    });
  }
  return {
    whatsapp,
    name,
    email,
    cpf,
    channel: input.channel ?? 'api',
    ...(input.marketing_opt_in !== undefined ? { marketing_opt_in: input.marketing_opt_in } : {}),
  };
}

/**
 * In one statement, the company's customers with the registration's phone, CPF or e-mail (each
 * unique per company, so at most three) and the company's stored program: a row with null customer
 * columns when none matches. Matching and the program were four round trips on PostgreSQL.
 */
const matchesAndProgram = preparedQuery(
  (db, arg: { companyId: string; whatsapp: string; cpf: string | null; email: string | null }) => {
    // One indexed lookup per column (an `or` of the three made SQLite scan the company's customers).
    const by = (column: 'whatsapp' | 'cpf' | 'email', value: string | null) =>
      db
        .selectFrom('customers')
        .selectAll()
        .where('company_id', '=', arg.companyId)
        .where(column, '=', value);
    return db
      .selectFrom(db.selectNoFrom(sql<number>`1`.as('one')).as('anchor'))
      .leftJoin(
        by('whatsapp', arg.whatsapp).unionAll(by('cpf', arg.cpf)).unionAll(by('email', arg.email)).as('c'),
        (join) => join.onTrue(),
      )
      .selectAll('c')
      .select((eb) =>
        eb
          .selectFrom('loyalty_programs')
          .select('program')
          .where('company_id', '=', arg.companyId)
          .as('stored_program'),
      );
  },
);

const insertCustomer = preparedQuery((db, arg: Insertable<CustomersTable>) =>
  db
    .insertInto('customers')
    .values(
      valuesOf(arg, [
        'member_id',
        'company_id',
        'name',
        'whatsapp',
        'email',
        'cpf',
        'tier',
        'points_balance',
        'points_earned',
        'points_spent',
        'total_spent_cents',
        'transaction_count',
        'channel',
        'welcome_coupon',
        'events_recorded',
        'created_at',
        'updated_at',
      ]),
    )
    // A member id already taken (they are drawn at random) inserts nothing: draw again. Any other
    // unique column taken (a concurrent registration of the same person) still fails.
    .onConflict((oc) => oc.column('member_id').doNothing())
    .returningAll(),
);

const insertWelcomeEntry = preparedQuery(
  (db, arg: { company_id: string; member_id: string; amount: number; created_at: string }) =>
    db.insertInto('ledger_entries').values({
      company_id: arg.company_id,
      member_id: arg.member_id,
      operation: 'welcome',
      amount: arg.amount,
      balance_before: 0,
      balance_after: arg.amount,
      reason: 'welcome reward',
      order_value_cents: null,
      created_at: arg.created_at,
    }),
);

/**
 * The welcome coupon of a program whose welcome reward names a reward: a real coupon of it, with the
 * contract's `CP-` code (`first`, drawn before the customer was inserted, unless a coupon has it).
 * It spends no points and takes none of the reward's stock; `customer.registered` carries its code.
 */
async function issueWelcomeCoupon(
  trx: Kysely<Tables>,
  ctx: AppContext,
  customer: CustomerRow,
  rewardId: string,
  first: string,
  now: Date,
): Promise<string> {
  const reward = await findReward(trx, customer.company_id, rewardId);
  let next: string | undefined = first;
  const issued = await issueCoupon(trx, {
    companyId: customer.company_id,
    memberId: customer.member_id,
    reward,
    kind: 'welcome',
    pointsSpent: 0,
    method: 'automatic',
    newCode: () => {
      const code = next ?? ctx.newCouponCode();
      next = undefined;
      return code;
    },
    now,
  });
  if (issued.code !== first) {
    await trx
      .updateTable('customers')
      .set({ welcome_coupon: issued.code })
      .where('id', '=', customer.id)
      .execute();
  }
  return issued.code;
}

const MATCH_ORDER: [MatchedOn, 'whatsapp' | 'cpf' | 'email'][] = [
  ['phone', 'whatsapp'],
  ['cpf', 'cpf'],
  ['email', 'email'],
];

/** An enrolled customer with the same phone, else CPF, else e-mail; and the company's program. */
async function findMatch(
  trx: Kysely<Tables>,
  companyId: string,
  r: ValidRegistration,
): Promise<{ match: { matched_on: MatchedOn; row: CustomerRow } | undefined; program: Program }> {
  const rows = await matchesAndProgram.run(trx, {
    companyId,
    whatsapp: r.whatsapp,
    cpf: r.cpf,
    email: r.email,
  });
  const stored = rows[0]?.stored_program ?? null;
  const program = programFrom(stored);
  const customers = rows.filter((row) => row.id !== null) as unknown as CustomerRow[];
  for (const [matchedOn, column] of MATCH_ORDER) {
    const value = r[column];
    const row = value === null ? undefined : customers.find((c) => c[column] === value);
    if (row) return { match: { matched_on: matchedOn, row }, program };
  }
  return { match: undefined, program };
}

/** Inserts the customer under a member id drawn at random, drawing again while one is taken. */
async function insertWithUnusedMemberId(
  trx: Kysely<Tables>,
  ctx: AppContext,
  customerRow: (memberId: string) => Insertable<CustomersTable>,
): Promise<CustomerRow> {
  for (let i = 0; i < MAX_MEMBER_ID_TRIES; i++) {
    const [created] = await insertCustomer.run(trx, customerRow(ctx.newMemberId()));
    if (created !== undefined) return created;
  }
  throw new Error(`no unused member id after ${MAX_MEMBER_ID_TRIES} tries`);
}

/**
 * Registers one validated customer inside the caller's transaction (the API's one-row transaction, or
 * an import's batch). `emitEvents: false` (an import with --no-events) records no webhook events.
 */
export async function registerInTransaction(
  trx: Kysely<Tables>,
  ctx: AppContext,
  companyId: string,
  r: ValidRegistration,
  options: { emitEvents: boolean } = { emitEvents: true },
): Promise<RegistrationResult> {
  const { match, program } = await findMatch(trx, companyId, r);
  if (match) return { created: false, matched_on: match.matched_on, customer: toCustomerProfile(match.row) };

  const now = ctx.clock();
  const stamp = now.toISOString();
  const tier = startingTier(program);
  const reward = program.welcome_reward;
  const welcomePoints = reward.type === 'points' ? reward.points : 0;
  const coupon = reward.type === 'coupon' ? ctx.newCouponCode() : null;
  const welcomeRewardId = reward.type === 'coupon' ? reward.reward_id : undefined;
  const customerRow = (memberId: string): Insertable<CustomersTable> => ({
    member_id: memberId,
    company_id: companyId,
    name: r.name,
    whatsapp: r.whatsapp,
    email: r.email,
    cpf: r.cpf,
    tier,
    points_balance: welcomePoints,
    points_earned: welcomePoints,
    points_spent: 0,
    total_spent_cents: 0,
    transaction_count: 0,
    channel: r.channel,
    welcome_coupon: coupon,
    // customer.registered is the member's first event: counted here, not by a second statement.
    events_recorded: options.emitEvents ? 1 : 0,
    created_at: stamp,
    updated_at: stamp,
  });
  const created = await insertWithUnusedMemberId(trx, ctx, customerRow);
  const { row: inserted } = await applyConsent(trx, created, r.marketing_opt_in, r.channel, now, {
    recordSame: true,
  });
  const issued =
    welcomeRewardId !== undefined && coupon !== null
      ? await issueWelcomeCoupon(trx, ctx, inserted, welcomeRewardId, coupon, now)
      : coupon;
  if (welcomePoints > 0) {
    await insertWelcomeEntry.run(trx, {
      company_id: companyId,
      member_id: inserted.member_id,
      amount: welcomePoints,
      created_at: stamp,
    });
  }
  const welcome: WelcomeReward =
    reward.type === 'points'
      ? { enabled: true, type: 'points', points_awarded: welcomePoints }
      : issued !== null
        ? { enabled: true, type: 'coupon', coupon_code: issued }
        : { enabled: false, type: 'none' };
  if (options.emitEvents)
    await recordEvent(trx, customerRegisteredPayload(inserted, tier, welcome, now), now, { memberSeq: 1 });
  // Welcome points may cross a threshold: customer.registered first, then tier.upgraded.
  const upgrade = await applyTierUpgrade(trx, program, inserted, now, options);
  const customer = upgrade ? { ...inserted, tier: upgrade.new_tier } : inserted;
  return { created: true, customer: toCustomerProfile(customer) };
}

/**
 * Enrolls a customer, or finds the one already enrolled (matched by phone, then CPF, then e-mail).
 * A new customer, its welcome reward and its events are one transaction. Two concurrent
 * registrations of the same person collide on a unique index; the loser runs again and matches.
 */
export async function registerCustomer(
  ctx: AppContext,
  companyId: string,
  input: RegisterCustomerInput,
): Promise<RegistrationResult> {
  const valid = validateRegistration(input);
  for (let attempt = 1; ; attempt++) {
    try {
      const result = await runInTransaction(ctx.db, (trx) =>
        registerInTransaction(trx, ctx, companyId, valid),
      );
      return result;
    } catch (error) {
      if (!isUniqueViolation(error) || attempt >= 3) throw error;
    }
  }
}
