// The core modules `npm run mutation` mutates, each with only the test files that check it: a mutant
// runs the tests of its module's list that cover it (Stryker's perTest coverage), never the suite.
// Server API tests run on SQLite (the `server` project's setting); the PostgreSQL run adds nothing to
// what a mutant of these modules can be caught by.
const S = 'packages/server/src';
const T = 'packages/server/test';
const W = 'packages/webhooks/src';

/** @type {{ name: string, what: string, mutate: string[], tests: string[] }[]} */
export const MODULES = [
  {
    name: 'signing',
    what: 'webhook signing and verification (SDK)',
    mutate: [`${W}/sign.ts`, `${W}/verify.ts`, `${W}/timing-safe-equal.ts`],
    tests: [
      `${W}/sign.test.ts`,
      `${W}/verify.test.ts`,
      `${W}/sign-secrets.test.ts`,
      `${W}/verify-refusals.test.ts`,
    ],
  },
  {
    name: 'retry',
    what: 'retry and failure policy (when to try again, when to disable, when to probe)',
    mutate: [`${S}/delivery/retry-policy.ts`, `${S}/delivery/failure-policy.ts`],
    tests: [`${S}/delivery/retry-policy.test.ts`, `${S}/delivery/failure-policy.test.ts`],
  },
  {
    name: 'attempts',
    what: 'attempt recording: success, retry, failure streak and disabling, through the delivery API',
    mutate: [`${S}/delivery/record-attempt.ts`],
    // One server for the file with an injected clock (no test waits for a retry); delivery.test.ts
    // and delivery-second-branches.test.ts start a server per test and wait out real delays.
    tests: [`${T}/attempt-recording-api.test.ts`],
  },
  {
    name: 'tiers',
    what: 'tier evaluation',
    mutate: [`${S}/program/evaluate-tier.ts`, `${S}/customers/apply-tier-upgrade.ts`],
    tests: [`${S}/program/evaluate-tier.test.ts`, `${T}/points-api.test.ts`, `${T}/import-no-events.test.ts`],
  },
  {
    name: 'cpf-phone',
    what: 'CPF and phone validation',
    mutate: [`${S}/customers/cpf.ts`, `${S}/customers/phone.ts`],
    tests: [`${S}/customers/cpf.test.ts`, `${S}/customers/phone.test.ts`],
  },
  {
    name: 'matching',
    what: 'customer registration: validating the fields and matching (phone → CPF → e-mail)',
    // validateRegistration and findMatch; the rest of the file (welcome rewards, member ids, the
    // retry of a racing registration) is tested elsewhere (coupons-api, member-id-collision).
    mutate: [`${S}/customers/register-customer.ts:52-96`, `${S}/customers/register-customer.ts:199-215`],
    tests: [`${T}/customers-api.test.ts`, `${T}/customer-registration-fields.test.ts`],
  },
  {
    name: 'fan-out',
    what: 'event recording and fan-out to subscribed endpoints',
    mutate: [`${S}/events/record-event.ts`],
    // One server for the file, its worker woken only by events (delivery.test.ts starts a server per
    // test: the 2026-12-02 run of it was stopped at 55 of 138 mutants, many timed out).
    tests: [`${T}/event-fan-out-api.test.ts`],
  },
  {
    name: 'points',
    what: 'points operations and Idempotency-Key',
    mutate: [`${S}/points/points-operation.ts`, `${S}/points/idempotency.ts`],
    // One server for the file, each test its own members (points-api.test.ts starts one per test and
    // made the run 45 minutes); it covers the coupon debit and refund too.
    tests: [`${T}/points-operations-api.test.ts`],
  },
  {
    name: 'address-guard',
    what: 'the non-public address check',
    mutate: [`${S}/delivery/address-guard.ts`],
    tests: [`${S}/delivery/address-guard.test.ts`, `${T}/address-guard-api.test.ts`],
  },
  {
    name: 'auth',
    what: 'API-key authorisation',
    // The request hook, and the key's creation, hash and lookup; revoking and listing keys are the
    // CLI's (zupy company keys), whose tests run the built CLI, out of Stryker's reach.
    mutate: [`${S}/http/auth.ts`, `${S}/companies/api-keys.ts:1-49`, `${S}/companies/api-keys.ts:87-104`],
    tests: [
      `${T}/api-key-auth-api.test.ts`,
      `${T}/read-only-key-api.test.ts`,
      `${T}/auth-guessing-api.test.ts`,
    ],
  },
  {
    name: 'coupon-discount',
    what: 'reward and coupon discount arithmetic',
    mutate: [`${S}/coupons/coupon-discount.ts`],
    // Pure arithmetic: its unit tests are where it is checked (coupons-api.test.ts adds 5 minutes).
    tests: [`${S}/coupons/coupon-discount.test.ts`],
  },
  {
    name: 'earning',
    what: 'earning rules',
    mutate: [`${S}/program/earning.ts`],
    tests: [`${S}/program/earning.test.ts`, `${T}/orders-api.test.ts`],
  },
  {
    name: 'erasure',
    what: 'LGPD erasure',
    mutate: [`${S}/customers/erase-customer.ts`, `${S}/customers/erasure/*.ts`],
    // customer-erasure-api erases Ana in its beforeAll and each test looks for one kind of her data:
    // code run outside a test counts as covered by every test, so each mutant runs all of them.
    tests: [`${T}/customer-erasure-api.test.ts`, `${T}/customer-erasure-partner-feed.test.ts`],
  },
  {
    name: 'claim-order',
    what: "the worker's fair claim order and its slot counts (issue 17)",
    mutate: [`${S}/delivery/store/delivery-store.ts:143-175`, `${S}/delivery/endpoint-slots.ts`],
    // Pure logic: its unit tests; the API test of the same rule (fairness-across-companies) takes 2 s a run.
    tests: [`${S}/delivery/store/claim-order.test.ts`, `${S}/delivery/endpoint-slots.test.ts`],
  },
];
