import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './helpers/test-server.js';

/** `GET`/`PATCH /me/`: where and in which language Zupy e-mails the company's owner. */
describe('the company settings at /me/', () => {
  let server: TestServer;
  const patch = (body: unknown, api = server.api) => api.request('PATCH', '/api/v2/me/', body);

  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server.close());

  it('shows no notification address and Portuguese by default', async () => {
    const me = await server.api.get('/api/v2/me/');
    expect(me.status).toBe(200);
    expect(me.body).toEqual({
      company_id: 'comp_bella_vista',
      company_name: 'Bella Vista',
      read_only: false,
      notification_email: null,
      language: 'pt-BR',
      time_zone: 'America/Sao_Paulo',
    });
  });

  it('sets the time zone, in the tz database’s spelling, and refuses what is not one naming time_zone', async () => {
    expect((await patch({ time_zone: 'America/Manaus' })).body.time_zone).toBe('America/Manaus');
    expect((await patch({ time_zone: ' america/fortaleza ' })).body.time_zone).toBe('America/Fortaleza');
    expect((await patch({ time_zone: 'Etc/UTC' })).body.time_zone).toBe('UTC');
    for (const bad of ['Mars/Olympus_Mons', '-03:00', 'GMT-3 (Brasília)', '', 'America/Sao Paulo']) {
      const res = await patch({ time_zone: bad, language: 'en' });
      expect(res.status, bad).toBe(422);
      expect(res.body.errors).toEqual([
        { field: 'time_zone', code: 'time_zone_invalid', detail: expect.stringContaining('IANA') },
      ]);
    }
    // Nothing of a refused patch is applied, the language neither.
    expect((await server.api.get('/api/v2/me/')).body).toMatchObject({ time_zone: 'UTC', language: 'pt-BR' });
    expect((await patch({ time_zone: 'America/Sao_Paulo' })).body.time_zone).toBe('America/Sao_Paulo');
  });

  it('sets the address (trimmed and lowercased) and the language; fields left out keep their value', async () => {
    const set = await patch({ notification_email: '  Dono@BellaVista.com.BR ', language: 'en' });
    expect(set.status).toBe(200);
    expect(set.body).toMatchObject({ notification_email: 'dono@bellavista.com.br', language: 'en' });
    expect((await server.api.get('/api/v2/me/')).body).toMatchObject({
      notification_email: 'dono@bellavista.com.br',
      language: 'en',
    });
    expect((await patch({ language: 'pt-BR' })).body).toMatchObject({
      notification_email: 'dono@bellavista.com.br',
      language: 'pt-BR',
    });
    expect((await patch({ notification_email: 'ops@bellavista.com.br' })).body).toMatchObject({
      notification_email: 'ops@bellavista.com.br',
      language: 'pt-BR',
    });
    expect((await patch({})).body).toMatchObject({
      notification_email: 'ops@bellavista.com.br',
      language: 'pt-BR',
    });
  });

  it('clears the address with null or an empty string', async () => {
    await patch({ notification_email: 'dono@bellavista.com.br' });
    expect((await patch({ notification_email: null })).body.notification_email).toBeNull();
    await patch({ notification_email: 'dono@bellavista.com.br' });
    expect((await patch({ notification_email: '   ' })).body.notification_email).toBeNull();
    expect((await server.api.get('/api/v2/me/')).body.notification_email).toBeNull();
  });

  it('refuses a bad address with a 422 naming notification_email, and keeps the old one', async () => {
    await patch({ notification_email: 'dono@bellavista.com.br' });
    for (const bad of [
      'not-an-email',
      'dono@localhost',
      'dono@@bellavista.com.br',
      'do no@bellavista.com.br',
      'dono@bellavista.com.br\nBcc: x@example.com',
    ]) {
      const res = await patch({ notification_email: bad });
      expect(res.status, bad).toBe(422);
      expect(res.headers.get('content-type')).toContain('application/problem+json');
      expect(res.body.code).toBe('ZUPY_VALIDATION_FAILED');
      expect(res.body.errors).toEqual([
        { field: 'notification_email', code: 'email_invalid', detail: 'is not a valid e-mail address' },
      ]);
    }
    const wrongType = await patch({ notification_email: 42 });
    expect(wrongType.status).toBe(422);
    expect(wrongType.body.errors.map((e: { field: string }) => e.field)).toContain('notification_email');
    expect((await server.api.get('/api/v2/me/')).body.notification_email).toBe('dono@bellavista.com.br');
  });

  it('takes an address of 254 characters and refuses one of 255', async () => {
    const domain = '@bellavista.com.br';
    const local = (n: number) => 'a'.repeat(n - domain.length);
    const longest = `${local(254)}${domain}`;
    expect(longest).toHaveLength(254);
    expect((await patch({ notification_email: longest })).body.notification_email).toBe(longest);
    const over = await patch({ notification_email: `${local(255)}${domain}` });
    expect(over.status).toBe(422);
    expect(over.body.errors).toEqual([
      {
        field: 'notification_email',
        code: 'too_long',
        detail: 'must be at most 254 characters',
        params: { limit: 254 },
      },
    ]);
  });

  it('refuses a language other than pt-BR or en with a 422 naming language', async () => {
    await patch({ language: 'en' });
    for (const bad of ['pt', 'pt-br', 'EN', 'en-US', 'es', '', null, 1]) {
      const res = await patch({ language: bad });
      expect(res.status, String(bad)).toBe(422);
      expect(res.body.errors).toEqual([
        {
          field: 'language',
          code: 'one_of',
          detail: 'must be one of "pt-BR", "en"',
          params: expect.objectContaining({ values: '"pt-BR", "en"' }),
        },
      ]);
    }
    expect((await server.api.get('/api/v2/me/')).body.language).toBe('en');
  });

  it('names every bad field at once, and an unknown one', async () => {
    const res = await patch({ notification_email: 'nope', language: 'fr', timezone: 'UTC' });
    expect(res.status).toBe(422);
    const fields = (res.body.errors as { field: string }[]).map((e) => e.field).sort();
    expect(fields).toContain('timezone');
    const both = await patch({ notification_email: 'nope', language: 'en' });
    expect(both.body.errors).toEqual([
      { field: 'notification_email', code: 'email_invalid', detail: 'is not a valid e-mail address' },
    ]);
  });

  it('lets a read-only key read the settings but not change them (403 read-only-key)', async () => {
    await patch({ notification_email: 'dono@bellavista.com.br', language: 'pt-BR' });
    const readOnly = await server.readOnlyClient();
    const read = await readOnly.get('/api/v2/me/');
    expect(read.status).toBe(200);
    expect(read.body).toMatchObject({ read_only: true, notification_email: 'dono@bellavista.com.br' });
    const write = await patch({ notification_email: 'intruso@example.com', language: 'en' }, readOnly);
    expect(write.status).toBe(403);
    expect(write.body.code).toBe('ZUPY_READ_ONLY_KEY');
    expect(write.body.type).toContain('read-only-key');
    expect((await server.api.get('/api/v2/me/')).body).toMatchObject({
      notification_email: 'dono@bellavista.com.br',
      language: 'pt-BR',
    });
  });

  it('changes only the caller’s company', async () => {
    await patch({ notification_email: 'dono@bellavista.com.br', language: 'pt-BR' });
    const other = await server.newCompany('Cantina Roma');
    const theirs = await patch({ notification_email: 'dono@cantinaroma.com.br', language: 'en' }, other.api);
    expect(theirs.body).toMatchObject({
      company_id: other.companyId,
      notification_email: 'dono@cantinaroma.com.br',
    });
    expect((await server.api.get('/api/v2/me/')).body).toMatchObject({
      company_id: 'comp_bella_vista',
      notification_email: 'dono@bellavista.com.br',
      language: 'pt-BR',
    });
  });

  it('documents both operations in the OpenAPI document', async () => {
    const doc = (await server.api.get('/api/v2/openapi.json')).body;
    const me = doc.paths['/api/v2/me/'];
    expect(Object.keys(me).sort()).toEqual(['get', 'patch']);
    const body = me.patch.requestBody.content['application/json'].schema;
    expect(body.properties.language.enum).toEqual(['pt-BR', 'en']);
    expect(Object.keys(body.properties).sort()).toEqual(['language', 'notification_email', 'time_zone']);
    expect(me.get.responses['200'].content['application/json'].schema.properties).toHaveProperty(
      'notification_email',
    );
    expect(me.get.responses['200'].content['application/json'].schema.properties).toHaveProperty('time_zone');
  });
});
