import { replyCreated } from '../http/created.js';
import type { FastifyPluginAsync } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { identity } from '../http/auth.js';
import { MemberIdParams, PageQuery, PageWithTotalOf, TierNameSchema } from '../http/schemas.js';
import type { AppContext } from '../shared/context.js';
import { CustomerProfileSchema } from './customer-profile.js';
import { listCustomers } from './list-customers.js';
import { readCustomer } from './read-customer.js';
import { registerCustomer } from './register-customer.js';
import { eraseCustomer } from './erase-customer.js';
import { exportCustomer } from './export-customer.js';
import { setCustomerTier } from './set-tier.js';
import { updateCustomer } from './update-customer.js';
import {
  CustomerExportSchema,
  ErasureResultSchema,
  MarketingOptInBody,
  UpdateBody,
  UpdateResultSchema,
  type CustomerExport,
} from './customer-data-schemas.js';

const RegisterBody = Type.Object(
  {
    phone: Type.Optional(
      Type.String({ maxLength: 40, description: 'WhatsApp number, any Brazilian format or E.164' }),
    ),
    whatsapp: Type.Optional(Type.String({ maxLength: 40, description: 'Alias of `phone`' })),
    name: Type.String({ minLength: 1, maxLength: 200 }),
    email: Type.Optional(Type.Union([Type.String({ maxLength: 254 }), Type.Null()])),
    cpf: Type.Optional(Type.Union([Type.String({ maxLength: 20 }), Type.Null()])),
    channel: Type.Optional(
      Type.Union([
        Type.Literal('pos'),
        Type.Literal('mobile_app'),
        Type.Literal('website'),
        Type.Literal('api'),
        Type.Literal('import'),
      ]),
    ),
    marketing_opt_in: Type.Optional(MarketingOptInBody),
  },
  { additionalProperties: false },
);

/** A page of customers; `meta.total` only when `include_total=true`. */
const CustomerPageSchema = PageWithTotalOf(CustomerProfileSchema, 'customer');

export const customerRoutes =
  (ctx: AppContext): FastifyPluginAsync =>
  (instance) => {
    const app = instance.withTypeProvider<TypeBoxTypeProvider>();

    app.post(
      '/customers/',
      {
        schema: {
          tags: ['Customers'],
          summary: 'Register a customer (or find the one already enrolled)',
          description:
            'Creates a customer and records `customer.registered` (201). A customer already enrolled, matched by phone, then CPF, then e-mail, answers 200 with `created: false` and records nothing.',
          body: RegisterBody,
          response: {
            201: Type.Object({ created: Type.Literal(true), customer: CustomerProfileSchema }),
            200: Type.Object({
              created: Type.Literal(false),
              matched_on: Type.Union([Type.Literal('phone'), Type.Literal('cpf'), Type.Literal('email')]),
              customer: CustomerProfileSchema,
            }),
          },
        },
      },
      async (request, reply) => {
        const result = await registerCustomer(ctx, identity(request).companyId, request.body);
        return result.created
          ? replyCreated(request, reply, result.customer.member_id, result)
          : reply.code(200).send(result);
      },
    );

    app.get(
      '/customers/',
      {
        schema: {
          tags: ['Customers'],
          summary: 'List customers, newest first',
          querystring: Type.Object({
            ...PageQuery,
            tier: Type.Optional(TierNameSchema),
            search: Type.Optional(
              Type.String({ maxLength: 200, description: 'Part of a name, e-mail, phone, CPF or member id' }),
            ),
            include_total: Type.Optional(
              Type.Boolean({
                description:
                  '`true`: `meta.total` counts every customer matching `tier` and `search` (all pages). It costs one count over the matches, so it is only done when asked',
              }),
            ),
          }),
          response: { 200: CustomerPageSchema },
        },
      },
      (request) =>
        listCustomers(ctx, identity(request).companyId, {
          tier: request.query.tier,
          search: request.query.search,
          cursor: request.query.cursor,
          pageSize: request.query.page_size,
          includeTotal: request.query.include_total === true,
        }),
    );

    app.get(
      '/customers/:member_id/',
      {
        schema: {
          tags: ['Customers'],
          summary: 'A customer’s full profile',
          params: MemberIdParams,
          response: { 200: CustomerProfileSchema },
        },
      },
      (request) => readCustomer(ctx, identity(request).companyId, request.params.member_id.toUpperCase()),
    );

    app.patch(
      '/customers/:member_id/',
      {
        schema: {
          tags: ['Customers'],
          summary: 'Correct a customer’s data or marketing consent',
          description:
            'The same validation and normalization as registration, for the fields given. Records `customer.updated` (the new values and `changed_fields`) in the same transaction; a request that changes nothing records nothing. 409 when the phone, CPF or e-mail belongs to another member of the company.',
          params: MemberIdParams,
          body: UpdateBody,
          response: {
            200: UpdateResultSchema,
          },
        },
      },
      (request) =>
        updateCustomer(
          ctx,
          identity(request).companyId,
          request.params.member_id.toUpperCase(),
          request.body,
        ),
    );

    app.delete(
      '/customers/:member_id/',
      {
        schema: {
          tags: ['Customers'],
          summary: 'Erase a customer’s personal data (LGPD)',
          description:
            'In one transaction: the customer becomes a tombstone (member id, tier and totals kept; name, phone, e-mail, CPF and consent removed), the stored bodies of every event about them are scrubbed, the receivers’ answers to those deliveries removed, their pending deliveries cancelled, their idempotency records and consent history deleted and their ledger reasons removed (amounts kept); then `customer.deleted` is recorded. The member id is never given out again; the same phone registering afterwards is a new member. See docs/privacy.md.',
          params: MemberIdParams,
          response: {
            200: ErasureResultSchema,
          },
        },
      },
      (request) => eraseCustomer(ctx, identity(request).companyId, request.params.member_id.toUpperCase()),
    );

    app.get(
      '/customers/:member_id/export/',
      {
        schema: {
          tags: ['Customers'],
          summary: 'Everything held about a customer, as one JSON document (LGPD access and portability)',
          description:
            'The profile, the marketing consent history, the points ledger and every event recorded about the customer (the bodies sent to the receivers), oldest first. Later sections (coupons, orders) are added after `events`. See docs/privacy.md.',
          params: MemberIdParams,
          response: { 200: CustomerExportSchema },
        },
      },
      async (request, reply) => {
        const memberId = request.params.member_id.toUpperCase();
        const document = await exportCustomer(ctx, identity(request).companyId, memberId);
        return reply
          .header('content-disposition', `attachment; filename="zupy-customer-${memberId}.json"`)
          .send(document as CustomerExport);
      },
    );

    app.put(
      '/customers/:member_id/tier/',
      {
        schema: {
          tags: ['Customers'],
          summary: 'Change a customer’s tier by hand',
          description:
            'Upward records `tier.upgraded` with `qualification_metric: custom_criteria`; downward records nothing.',
          params: MemberIdParams,
          body: Type.Object({ tier: TierNameSchema }, { additionalProperties: false }),
          response: {
            200: Type.Object({
              previous_tier: Type.String(),
              tier: Type.String(),
              tier_upgraded: Type.Boolean(),
              customer: CustomerProfileSchema,
            }),
          },
        },
      },
      (request) =>
        setCustomerTier(
          ctx,
          identity(request).companyId,
          request.params.member_id.toUpperCase(),
          request.body.tier,
        ),
    );
    return Promise.resolve();
  };
