import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { ZupyError } from '../errors.js';
import { identity } from '../http/auth.js';
import { IsoTimestamp, PageOf, PageQuery } from '../http/schemas.js';
import type { AppContext } from '../shared/context.js';
import { SKIP_REASON_CODES, listInbox, receivePartnerBody } from './partner-inbox.js';

const ReceivedSchema = Type.Object({
  status: Type.Union([Type.Literal('received'), Type.Literal('duplicate')]),
  id: Type.String({
    description: 'The inbox entry (inb_…); a duplicate names the first',
    examples: ['inb_…'],
  }),
});

const OutcomeSchema = Type.Object({
  index: Type.Integer({ description: 'Position of the order in the body, from 0' }),
  order_id: Type.Union([Type.String(), Type.Null()]),
  outcome: Type.Union([Type.Literal('credited'), Type.Literal('duplicate'), Type.Literal('skipped')]),
  member_id: Type.Union([Type.String(), Type.Null()]),
  enrolled: Type.Boolean({ description: 'The customer was unknown and was enrolled (channel pos)' }),
  points_earned: Type.Union([Type.Integer(), Type.Null()]),
  reason: Type.Union([Type.String(), Type.Null()], { description: 'Why it was skipped, in English' }),
  reason_code: Type.Union(
    [
      Type.Literal('unknown_partner'),
      Type.Literal('no_order_id'),
      Type.Literal('no_order_value'),
      Type.Literal('no_customer_identifier'),
      Type.Literal('unknown_customer_no_phone'),
      Type.Literal('cannot_enroll'),
      Type.Literal('order_credited_elsewhere'),
      Type.Literal('other'),
      Type.Null(),
    ],
    {
      description:
        'Why it was skipped, as a stable code to translate by (with `reason_params`); null unless skipped. ' +
        Object.entries(SKIP_REASON_CODES)
          .map(([code, meaning]) => `\`${code}\`: ${meaning}`)
          .join('; ') +
        '. Show `reason` for a code you do not know: more may come.',
    },
  ),
  reason_params: Type.Union(
    [Type.Record(Type.String(), Type.Union([Type.String(), Type.Number()])), Type.Null()],
    {
      description:
        'What the code’s message needs: `partner` (`unknown_partner`); `field`, `field_code` and that field error’s params (`cannot_enroll`); null when nothing',
    },
  ),
});

const InboxEntrySchema = Type.Object({
  id: Type.String(),
  partner: Type.String(),
  status: Type.Union([Type.Literal('pending'), Type.Literal('processed'), Type.Literal('failed')]),
  received_at: IsoTimestamp,
  processed_at: Type.Union([IsoTimestamp, Type.Null()]),
  attempts: Type.Integer(),
  last_error: Type.Union([Type.String(), Type.Null()]),
  summary: Type.Union([
    Type.Object({
      orders: Type.Integer(),
      credited: Type.Integer(),
      duplicate: Type.Integer(),
      skipped: Type.Integer(),
      enrolled: Type.Integer(),
    }),
    Type.Null(),
  ]),
  orders: Type.Union([Type.Array(OutcomeSchema), Type.Null()], { description: 'Null until processed' }),
});

const rawBodies = new WeakMap<FastifyRequest, Buffer>();

export const partnerRoutes =
  (ctx: AppContext): FastifyPluginAsync =>
  (instance) => {
    const app = instance.withTypeProvider<TypeBoxTypeProvider>();
    // A partner's body is kept as its exact bytes (hashed for duplicates), so they are kept here
    // beside the parsed JSON, which goes through the usual checks (depth, unstorable text).
    app.removeContentTypeParser('application/json');
    app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (request, body, done) => {
      try {
        const parsed = JSON.parse(body.toString('utf8')) as unknown;
        rawBodies.set(request, body as Buffer);
        done(null, parsed);
      } catch {
        done(new ZupyError('ZUPY_MALFORMED_REQUEST', 'the body is not valid JSON'), undefined);
      }
    });

    app.post(
      '/webhooks/integrations/:partner/',
      {
        schema: {
          tags: ['Partner order feeds'],
          summary: 'Receive a partner’s orders (generic, repediu)',
          description:
            'Any JSON, usually an array of orders, in the partner’s own shape. The body is stored before the answer (202 `received`) and processed by the worker: customers matched by phone, then e-mail, then CPF; unknown ones enrolled (channel `pos`, with `customer.registered`); each order credited once (`points.earned`); orders without an identifier skipped and reported in `GET /webhooks/integrations/inbox/`. The same bytes again answer 200 `duplicate` with the first id.',
          params: Type.Object({ partner: Type.String({ maxLength: 40, description: 'generic or repediu' }) }),
          body: Type.Unknown(),
          response: { 200: ReceivedSchema, 202: ReceivedSchema },
        },
      },
      async (request, reply) => {
        const received = await receivePartnerBody(
          ctx,
          identity(request).companyId,
          request.params.partner,
          rawBodies.get(request) ?? Buffer.alloc(0),
        );
        return reply.status(received.status === 'received' ? 202 : 200).send(received);
      },
    );

    app.get(
      '/webhooks/integrations/inbox/',
      {
        schema: {
          tags: ['Partner order feeds'],
          summary: 'The bodies partners sent, newest first, with what became of each order',
          querystring: Type.Object(PageQuery),
          response: { 200: PageOf(InboxEntrySchema) },
        },
      },
      (request) =>
        listInbox(ctx, identity(request).companyId, {
          cursor: request.query.cursor,
          pageSize: request.query.page_size,
        }),
    );
    return Promise.resolve();
  };
