import type { FastifyPluginAsync } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { identity } from '../http/auth.js';
import type { AppContext } from '../shared/context.js';
import { LANGUAGES } from '../shared/languages.js';
import { CompanySettingsSchema, readCompanySettings, updateCompanySettings } from './company-settings.js';

export const companyRoutes =
  (ctx: AppContext): FastifyPluginAsync =>
  (instance) => {
    const app = instance.withTypeProvider<TypeBoxTypeProvider>();
    const tags = ['Company'];
    app.get(
      '/me/',
      {
        schema: {
          tags,
          summary: 'The company and permissions of the API key in use',
          response: { 200: CompanySettingsSchema },
        },
      },
      async (request) => {
        const { companyId, readOnly } = identity(request);
        return readCompanySettings(ctx.db, companyId, readOnly);
      },
    );
    app.patch(
      '/me/',
      {
        schema: {
          tags,
          summary:
            'Set where and in which language Zupy e-mails the owner, and the company’s time zone (read-write keys only)',
          description:
            'Zupy e-mails `notification_email` when one of the company’s webhook endpoints is disabled or enabled again, if the operator configured SMTP. `null` or `""` stops the e-mails. The address is trimmed and lowercased. `time_zone` is an IANA name (default `America/Sao_Paulo`), stored in the tz database’s spelling; the earning rules’ happy hours and promotion dates are read in it. Fields left out keep their value.',
          body: Type.Object(
            {
              // The length is checked with the syntax (at most 254), so a long address gets one clear error.
              notification_email: Type.Optional(Type.Union([Type.String(), Type.Null()])),
              language: Type.Optional(Type.Enum([...LANGUAGES])),
              time_zone: Type.Optional(Type.String({ maxLength: 64 })),
            },
            { additionalProperties: false },
          ),
          response: { 200: CompanySettingsSchema },
        },
      },
      async (request) => {
        const { companyId, readOnly } = identity(request);
        await updateCompanySettings(ctx.db, companyId, request.body);
        return readCompanySettings(ctx.db, companyId, readOnly);
      },
    );
    return Promise.resolve();
  };
