import type { FastifyPluginAsync } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { identity } from '../http/auth.js';
import { IsoTimestamp, PageOf, PageQuery } from '../http/schemas.js';
import type { AppContext } from '../shared/context.js';
import { listAuditLog, verifyAuditChain } from './list-audit-log.js';

const tags = ['Audit log'];

const AuditEntrySchema = Type.Object({
  seq: Type.Integer(),
  at: IsoTimestamp,
  actor: Type.String({ description: '`api` (an API key), `panel` (the admin panel) or `cli`' }),
  key_prefix: Type.Union([Type.String(), Type.Null()], {
    description: 'The API key’s prefix; null for the CLI',
  }),
  address: Type.Union([Type.String(), Type.Null()], {
    description: 'The client’s address; null for the CLI',
  }),
  action: Type.String({ examples: ['PATCH /customers/:member_id/', 'cli import'] }),
  target_id: Type.Union([Type.String(), Type.Null()], { examples: ['ZP-8B23CD41'] }),
  status: Type.Union([Type.Integer(), Type.Null()], {
    description:
      'The HTTP status answered; null for the CLI, and for a change whose process stopped before answering',
  }),
  prev_hash: Type.String(),
  hash: Type.String({ description: 'sha256 over prev_hash and this entry’s fields: a chain' }),
});

export const auditRoutes =
  (ctx: AppContext): FastifyPluginAsync =>
  (instance) => {
    const app = instance.withTypeProvider<TypeBoxTypeProvider>();
    app.get(
      '/audit-log/',
      {
        schema: {
          tags,
          summary: 'Every write through the API, the panel and the CLI, newest first',
          description:
            'No personal data: when, the key’s prefix (or `cli`), the address, the action (method and route pattern) and the target id. Kept for ZUPY_AUDIT_RETENTION (docs/privacy.md).',
          querystring: Type.Object({
            ...PageQuery,
            target: Type.Optional(
              Type.String({ maxLength: 64, description: 'A target id, e.g. a member id' }),
            ),
            action: Type.Optional(
              Type.String({ maxLength: 200, examples: ['DELETE /customers/:member_id/'] }),
            ),
            since: Type.Optional(Type.String({ format: 'date-time' })),
          }),
          response: { 200: PageOf(AuditEntrySchema) },
        },
      },
      (request) =>
        listAuditLog(ctx, identity(request).companyId, {
          target: request.query.target,
          action: request.query.action,
          since: request.query.since,
          cursor: request.query.cursor,
          pageSize: request.query.page_size,
        }),
    );
    app.get(
      '/audit-log/verify/',
      {
        schema: {
          tags,
          summary: 'Recompute the audit log’s hash chain: whether an entry was changed or removed',
          response: {
            200: Type.Object({
              ok: Type.Boolean(),
              checked: Type.Integer(),
              broken_at: Type.Union([Type.Integer(), Type.Null()], {
                description: 'The first entry that breaks',
              }),
            }),
          },
        },
      },
      (request) => verifyAuditChain(ctx.db, identity(request).companyId),
    );
    return Promise.resolve();
  };
