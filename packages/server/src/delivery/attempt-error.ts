import { errors as undiciErrors } from 'undici';

/**
 * Why an attempt got no HTTP answer, as a stable code beside the English `error` sentence: the admin
 * panel (and any integrator) translates by the code, with its `params`, never by matching the
 * sentence. `other` is anything else; its sentence is the only description there is.
 */
export const ATTEMPT_ERROR_CODES = {
  timeout: 'no answer (status line and headers, or the rest of the body) within the timeout',
  connect_timeout: 'the connection (DNS, TCP, TLS) was not made within the timeout',
  connection_refused: 'the receiver’s host refused the connection: nothing listens on that port',
  connection_reset: 'the receiver closed or reset the connection before answering',
  host_not_found: 'the host name does not resolve (DNS)',
  tls_certificate: 'the receiver’s certificate is not trusted, expired or for another name',
  forbidden_address: 'the host is or resolves to a non-public address (ZUPY_ALLOW_PRIVATE_NETWORK)',
  other: 'anything else: read `error`',
} as const;

export type AttemptErrorCode = keyof typeof ATTEMPT_ERROR_CODES;

/** The params of a code: `timeout_ms` (timeouts), `tls_code` (certificates), `host` (forbidden). */
export type AttemptErrorParams = Readonly<Record<string, string | number>>;

export interface AttemptError {
  code: AttemptErrorCode;
  /** The English sentence, as the API has always answered it in `error`. */
  message: string;
  params: AttemptErrorParams | null;
}

/** What Node calls a certificate it does not trust, or one for another name. */
const TLS_CERTIFICATE_ERRORS = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_UNTRUSTED',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

/** An error of undici, Node or the address guard, as the attempt's code, params and sentence. */
export function describeAttemptError(error: unknown, timeoutMs: number): AttemptError {
  if (error instanceof undiciErrors.HeadersTimeoutError || error instanceof undiciErrors.BodyTimeoutError) {
    return {
      code: 'timeout',
      message: `no answer within ${timeoutMs} ms`,
      params: { timeout_ms: timeoutMs },
    };
  }
  const e = error as { name?: string; code?: string; message?: string; host?: unknown };
  if (e.code === 'EZUPYFORBIDDEN' || e.name === 'ForbiddenAddressError') {
    return {
      code: 'forbidden_address',
      message: e.message ?? 'forbidden address',
      params: typeof e.host === 'string' ? { host: e.host } : null,
    };
  }
  if (e.code === 'UND_ERR_CONNECT_TIMEOUT') {
    return {
      code: 'connect_timeout',
      message: `could not connect within ${timeoutMs} ms`,
      params: { timeout_ms: timeoutMs },
    };
  }
  if (e.code === 'ECONNREFUSED')
    return { code: 'connection_refused', message: 'connection refused', params: null };
  if (e.code === 'ECONNRESET' || e.code === 'UND_ERR_SOCKET')
    return { code: 'connection_reset', message: 'connection reset by the receiver', params: null };
  if (e.code === 'ENOTFOUND') return { code: 'host_not_found', message: 'host not found', params: null };
  if (e.code !== undefined && TLS_CERTIFICATE_ERRORS.has(e.code)) {
    return {
      code: 'tls_certificate',
      message: `certificate refused (${e.code}): ${e.message ?? ''}; a private CA needs ZUPY_EXTRA_CA_FILE`,
      params: { tls_code: e.code },
    };
  }
  return {
    code: 'other',
    message: `${e.code ? e.code + ': ' : ''}${e.message ?? String(error)}`,
    params: null,
  };
}
