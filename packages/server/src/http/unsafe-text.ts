import type { FastifyInstance } from 'fastify';
import { ZupyError, type FieldError } from '../errors.js';
import { isStorableText, UNSTORABLE_TEXT_DETAIL } from '../shared/storable-text.js';

function findUnsafeText(value: unknown, field: string, found: FieldError[]): void {
  if (found.length >= 10) return;
  if (typeof value === 'string') {
    if (!isStorableText(value)) found.push({ field, detail: UNSTORABLE_TEXT_DETAIL });
  } else if (Array.isArray(value)) {
    value.forEach((item, i) => findUnsafeText(item, `${field}[${i}]`, found));
  } else if (typeof value === 'object' && value !== null) {
    for (const [key, item] of Object.entries(value)) {
      const name = field ? `${field}.${key}` : key;
      if (!isStorableText(key)) found.push({ field: name, detail: 'field names must be valid Unicode text' });
      else findUnsafeText(item, name, found);
    }
  }
}

/**
 * Refuses, with a 422 naming the field, text that no database can store as sent: NUL characters and
 * lone UTF-16 surrogates, in the body, the query string or the path. Without this, PostgreSQL would
 * fail the query (a 500) and SQLite would store a NUL that no export reads back.
 */
export function rejectUnsafeText(app: FastifyInstance): void {
  app.addHook('preValidation', (request, _reply, done) => {
    const found: FieldError[] = [];
    findUnsafeText(request.params, '', found);
    findUnsafeText(request.query, '', found);
    findUnsafeText(request.body, '', found);
    if (found.length === 0) return done();
    const detail = found.map((f) => `${f.field} ${f.detail}`).join('; ');
    done(new ZupyError('ZUPY_VALIDATION_FAILED', detail, { fieldErrors: found }));
  });
}
