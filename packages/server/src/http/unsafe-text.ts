import type { FastifyInstance } from 'fastify';
import { ZupyError, type FieldError } from '../errors.js';
import { isStorableText, UNSTORABLE_TEXT_DETAIL } from '../shared/storable-text.js';

/**
 * How many arrays and objects a request may nest inside each other (`[[1]]` is 2). No Zupy body
 * needs more than a handful; the bound keeps every later walk of the value (validation, logging,
 * serialising) shallow, and a deeper body is refused with a 422 before any of them runs.
 */
export const MAX_JSON_DEPTH = 64;
/** The walk stops after this many findings: the problem document stays short. */
const MAX_FINDINGS = 10;

interface Pending {
  value: unknown;
  field: string;
  /** Containers enclosing `value`, itself included when it is one. */
  depth: number;
}

/**
 * Walks `root` with an explicit stack (a recursive walk overflowed the call stack on a 10,000-deep
 * body, a 500) in document order, collecting text no database can store. Returns false, having
 * stopped at once, when the value nests deeper than {@link MAX_JSON_DEPTH}.
 */
function findUnsafeText(root: unknown, found: FieldError[]): boolean {
  const stack: Pending[] = [{ value: root, field: '', depth: 0 }];
  while (stack.length > 0 && found.length < MAX_FINDINGS) {
    const { value, field, depth } = stack.pop()!;
    if (typeof value === 'string') {
      if (!isStorableText(value))
        found.push({ field, code: 'unstorable_text', detail: UNSTORABLE_TEXT_DETAIL });
      continue;
    }
    if (typeof value !== 'object' || value === null) continue;
    const inner = depth + 1;
    if (inner > MAX_JSON_DEPTH) return false;
    const children: Pending[] = [];
    if (Array.isArray(value)) {
      value.forEach((item: unknown, i) =>
        children.push({ value: item, field: `${field}[${i}]`, depth: inner }),
      );
    } else {
      for (const [key, item] of Object.entries(value)) {
        const name = field ? `${field}.${key}` : key;
        if (!isStorableText(key))
          found.push({
            field: name,
            code: 'unstorable_text',
            detail: 'field names must be valid Unicode text',
          });
        else children.push({ value: item, field: name, depth: inner });
      }
    }
    // Last pushed is first taken: push in reverse so findings come in document order.
    for (let i = children.length - 1; i >= 0; i--) stack.push(children[i]!);
  }
  return true;
}

/**
 * Refuses, with a 422 naming the field, text that no database can store as sent: NUL characters and
 * lone UTF-16 surrogates, in the body, the query string or the path. Without this, PostgreSQL would
 * fail the query (a 500) and SQLite would store a NUL that no export reads back. A body (or query)
 * nested deeper than {@link MAX_JSON_DEPTH} is a 422 naming `body` (or `query`).
 */
export function rejectUnsafeText(app: FastifyInstance): void {
  app.addHook('preValidation', (request, _reply, done) => {
    const found: FieldError[] = [];
    for (const [part, value] of [
      ['path', request.params],
      ['query', request.query],
      ['body', request.body],
    ] as const) {
      if (!findUnsafeText(value, found)) {
        const detail = `is nested deeper than ${MAX_JSON_DEPTH} levels of arrays and objects`;
        return done(
          new ZupyError('ZUPY_VALIDATION_FAILED', `${part} ${detail}`, {
            fieldErrors: [{ field: part, code: 'too_deep', detail, params: { limit: MAX_JSON_DEPTH } }],
          }),
        );
      }
    }
    if (found.length === 0) return done();
    const detail = found.map((f) => `${f.field} ${f.detail}`).join('; ');
    done(new ZupyError('ZUPY_VALIDATION_FAILED', detail, { fieldErrors: found }));
  });
}
