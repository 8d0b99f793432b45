import type { AttemptErrorCode, CodeParams } from './api.js';
import { render, type Message } from './api-messages.js';
import { formatInt } from './format.js';
import type { Language, Translate } from './i18n.js';

/**
 * Why a webhook attempt got no answer, in the panel's language, by the attempt's `error_code` and
 * `error_params` (never by matching the English `error`). `other` and a code the panel does not know
 * yet (a newer server) show the API's own sentence. `packages/server/test/panel-messages.test.ts`
 * fails when the server has a code missing here.
 */
type TestSendCode = AttemptErrorCode | 'not_2xx';

const ms = (language: Language, value: string | number | undefined) =>
  typeof value === 'number' ? `${formatInt(value, language)} ms` : String(value);

const PT_BR: Readonly<Record<Exclude<TestSendCode, 'other'>, Message>> = {
  timeout: (p) => `sem resposta em ${ms('pt-BR', p.timeout_ms)}`,
  connect_timeout: (p) => `não conseguiu conectar em ${ms('pt-BR', p.timeout_ms)}`,
  connection_refused: 'conexão recusada: nada atende nesse endereço e porta',
  connection_reset: 'o receptor fechou a conexão antes de responder',
  host_not_found: 'host não encontrado (DNS)',
  tls_certificate:
    'certificado recusado ({tls_code}); para uma autoridade certificadora privada, configure ZUPY_EXTRA_CA_FILE',
  forbidden_address: (p) =>
    `${p.host ?? 'o host'} é ou aponta para um endereço não público; webhooks só alcançam endereços públicos`,
  not_2xx: 'o receptor respondeu {status}, não 2xx',
};

const EN: Readonly<Record<Exclude<TestSendCode, 'other'>, Message>> = {
  timeout: (p) => `no answer within ${ms('en', p.timeout_ms)}`,
  connect_timeout: (p) => `could not connect within ${ms('en', p.timeout_ms)}`,
  connection_refused: 'connection refused: nothing answers at that address and port',
  connection_reset: 'the receiver closed the connection before answering',
  host_not_found: 'host not found (DNS)',
  tls_certificate:
    'certificate refused ({tls_code}); for a private certificate authority, set ZUPY_EXTRA_CA_FILE',
  forbidden_address: (p) =>
    `${p.host ?? 'the host'} is or resolves to a non-public address; webhooks may only reach public addresses`,
  not_2xx: 'the receiver answered {status}, not 2xx',
};

/** The dictionaries, for the completeness test. */
export const ATTEMPT_ERROR_MESSAGES: Readonly<Record<Language, Readonly<Record<string, Message>>>> = {
  'pt-BR': PT_BR,
  en: EN,
};

/** An attempt's (or a test send's) error in the panel's language; the API's sentence when unknown. */
export function attemptErrorText(
  t: Translate,
  failure: { error: string | null; error_code: string | null; error_params: CodeParams | null },
): string | null {
  const message =
    failure.error_code === null ? undefined : ATTEMPT_ERROR_MESSAGES[t.language][failure.error_code];
  return message === undefined ? failure.error : render(message, failure.error_params ?? {});
}
