import { Type, type Static } from 'typebox';
import { CustomerFieldSchema, IsoTimestamp } from '../http/schemas.js';
import { CustomerProfileSchema } from './customer-profile.js';
import { UPDATE_CHANNELS } from './update-customer.js';

/** The schemas of the customer data routes (issue 22): consent, PATCH, the export. */

export const MarketingOptInBody = Type.Object(
  {
    whatsapp: Type.Optional(Type.Boolean({ description: 'Agrees to marketing by WhatsApp' })),
    email: Type.Optional(Type.Boolean({ description: 'Agrees to marketing by e-mail' })),
  },
  {
    additionalProperties: false,
    description:
      'Marketing consent per medium, recorded with when and through which channel it was given or withdrawn (history in the export). Never sent in `customer.registered`.',
  },
);

export const UpdateBody = Type.Object(
  {
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    phone: Type.Optional(
      Type.String({ maxLength: 40, description: 'WhatsApp number, any Brazilian format or E.164' }),
    ),
    whatsapp: Type.Optional(Type.String({ maxLength: 40, description: 'Alias of `phone`' })),
    email: Type.Optional(
      Type.Union([Type.String({ maxLength: 254 }), Type.Null()], { description: 'null or "" removes it' }),
    ),
    cpf: Type.Optional(
      Type.Union([Type.String({ maxLength: 20 }), Type.Null()], { description: 'null or "" removes it' }),
    ),
    marketing_opt_in: Type.Optional(MarketingOptInBody),
    channel: Type.Optional(
      Type.Union(
        UPDATE_CHANNELS.map((c) => Type.Literal(c)),
        {
          description:
            'Through which channel the change was asked for (recorded with consent); default `api`',
        },
      ),
    ),
  },
  { additionalProperties: false },
);

export const CustomerExportSchema = Type.Object(
  {
    format: Type.Literal('zupy.customer-export.v1'),
    exported_at: IsoTimestamp,
    company_id: Type.String(),
    member_id: Type.String(),
    profile: CustomerProfileSchema,
    consent_history: Type.Array(
      Type.Object({
        medium: Type.String({ description: '`whatsapp` or `email`' }),
        opted_in: Type.Boolean({ description: 'true: given; false: withdrawn' }),
        channel: Type.String({ description: 'Through which channel' }),
        at: IsoTimestamp,
      }),
    ),
    ledger: Type.Array(
      Type.Object({
        id: Type.Integer(),
        operation: Type.String(),
        amount: Type.Integer(),
        balance_before: Type.Integer(),
        balance_after: Type.Integer(),
        reason: Type.Union([Type.String(), Type.Null()]),
        order_value: Type.Union([Type.Number(), Type.Null()]),
        created_at: IsoTimestamp,
      }),
    ),
    events: Type.Array(
      Type.Object({
        id: Type.String(),
        type: Type.String(),
        created_at: IsoTimestamp,
        payload: Type.Unknown({ description: 'The body sent to the receivers' }),
      }),
    ),
  },
  {
    additionalProperties: true,
    description: 'Sections added by later versions (coupons, orders) follow `events`',
  },
);
export type CustomerExport = Static<typeof CustomerExportSchema>;

export const UpdateResultSchema = Type.Object({
  customer: CustomerProfileSchema,
  changed_fields: Type.Array(CustomerFieldSchema),
});

export const ErasureResultSchema = Type.Object({ member_id: Type.String(), deleted_at: IsoTimestamp });
