import { Type } from 'typebox';
import { ATTEMPT_ERROR_CODES, type AttemptErrorCode } from './attempt-error.js';

const codes = Object.keys(ATTEMPT_ERROR_CODES) as AttemptErrorCode[];

/** Every code once: the schema's literals (spelled out, so that its type is the union). */
const LITERALS = [
  Type.Literal('timeout'),
  Type.Literal('connect_timeout'),
  Type.Literal('connection_refused'),
  Type.Literal('connection_reset'),
  Type.Literal('host_not_found'),
  Type.Literal('tls_certificate'),
  Type.Literal('forbidden_address'),
  Type.Literal('other'),
] as const;
// Fails to compile when a code is added to attempt-error.ts and not here (or the reverse).
const everyCode: Record<AttemptErrorCode, true> = Object.fromEntries(
  LITERALS.map((l) => [l.const, true]),
) as Record<(typeof LITERALS)[number]['const'], true>;
void everyCode;

/** `error_code` of an attempt, as the OpenAPI document declares it: each code and what it means. */
export const AttemptErrorCodeSchema = Type.Union([...LITERALS, Type.Null()], {
  description:
    'Why no HTTP answer came, as a stable code to translate by (with `error_params`); `error` says the same in English. null when the receiver answered. ' +
    codes.map((code) => `\`${code}\`: ${ATTEMPT_ERROR_CODES[code]}`).join('; ') +
    '. Switch on the codes you know and show `error` for any other: more may come.',
});

/** `error_params`: what the code's message needs. */
export const AttemptErrorParamsSchema = Type.Union(
  [Type.Record(Type.String(), Type.Union([Type.String(), Type.Number()])), Type.Null()],
  {
    description:
      'The params of `error_code`: `timeout_ms` (`timeout`, `connect_timeout`), `tls_code` (`tls_certificate`, Node’s code such as `CERT_HAS_EXPIRED`), `host` (`forbidden_address`); null when it has none',
  },
);
