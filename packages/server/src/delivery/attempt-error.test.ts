import { errors as undiciErrors } from 'undici';
import { describe, expect, it } from 'vitest';
import { ForbiddenAddressError } from './address-guard.js';
import { describeAttemptError } from './attempt-error.js';

const coded = (code: string, message = 'boom') => Object.assign(new Error(message), { code });

describe('describeAttemptError', () => {
  it('gives each failure its code, its params and the English sentence the API always answered', () => {
    expect(describeAttemptError(new undiciErrors.HeadersTimeoutError(), 10_000)).toEqual({
      code: 'timeout',
      message: 'no answer within 10000 ms',
      params: { timeout_ms: 10_000 },
    });
    expect(describeAttemptError(new undiciErrors.BodyTimeoutError(), 250).code).toBe('timeout');
    expect(describeAttemptError(coded('UND_ERR_CONNECT_TIMEOUT'), 2_500)).toEqual({
      code: 'connect_timeout',
      message: 'could not connect within 2500 ms',
      params: { timeout_ms: 2_500 },
    });
    expect(describeAttemptError(coded('ECONNREFUSED'), 1)).toEqual({
      code: 'connection_refused',
      message: 'connection refused',
      params: null,
    });
    for (const code of ['ECONNRESET', 'UND_ERR_SOCKET'])
      expect(describeAttemptError(coded(code), 1).code, code).toBe('connection_reset');
    expect(describeAttemptError(coded('ENOTFOUND'), 1)).toEqual({
      code: 'host_not_found',
      message: 'host not found',
      params: null,
    });
    expect(describeAttemptError(coded('CERT_HAS_EXPIRED', 'certificate has expired'), 1)).toEqual({
      code: 'tls_certificate',
      message:
        'certificate refused (CERT_HAS_EXPIRED): certificate has expired; a private CA needs ZUPY_EXTRA_CA_FILE',
      params: { tls_code: 'CERT_HAS_EXPIRED' },
    });
    const forbidden = Object.assign(new ForbiddenAddressError('crm.example', '10.0.0.1'), {
      code: 'EZUPYFORBIDDEN',
    });
    expect(describeAttemptError(forbidden, 1)).toEqual({
      code: 'forbidden_address',
      message: forbidden.message,
      params: { host: 'crm.example' },
    });
  });

  it('calls anything else other, with its code and message as the sentence', () => {
    expect(describeAttemptError(coded('EPROTO', 'wrong version number'), 1)).toEqual({
      code: 'other',
      message: 'EPROTO: wrong version number',
      params: null,
    });
    expect(describeAttemptError('odd', 1)).toEqual({ code: 'other', message: 'odd', params: null });
  });
});
