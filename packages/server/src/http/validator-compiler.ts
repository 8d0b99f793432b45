import { Ajv, type Options } from 'ajv';
import addFormats from 'ajv-formats';
import type { FastifySchemaCompiler } from 'fastify';

/**
 * Two validators: bodies are checked strictly (no type coercion: `"12"` is not an amount), while
 * query strings and path parameters, which are always text on the wire, are coerced to their types.
 * `allErrors` lets one 422 name every bad field at once. `multipleOfPrecision` makes `multipleOf: 0.01`
 * (money, see `Brl`) accept 19.99, which binary floats cannot hold exactly: ajv then checks the
 * quotient is within 1e-9 of a whole number instead of exactly whole.
 */
function makeAjv(coerceTypes: boolean): Ajv {
  const options: Options = {
    allErrors: true,
    coerceTypes,
    useDefaults: true,
    removeAdditional: false,
    strict: false,
    multipleOfPrecision: 9,
  };
  const ajv = new Ajv(options);
  (addFormats as unknown as (ajv: Ajv) => void)(ajv);
  return ajv;
}

export function createValidatorCompiler(): FastifySchemaCompiler<unknown> {
  const strict = makeAjv(false);
  const coercing = makeAjv(true);
  return ({ schema, httpPart }) => {
    const ajv = httpPart === 'body' ? strict : coercing;
    return ajv.compile(schema as object);
  };
}
