import { ForbiddenAddressError, vetHost } from '../delivery/address-guard.js';
import { invalidField } from '../errors.js';
import type { WebhookSettings } from '../delivery/delivery-context.js';

export const MAX_URL_LENGTH = 2048;

/**
 * Checks an endpoint URL at registration: http(s), no credentials, and (unless private networks are
 * allowed) a host that resolves only to public addresses. The check is repeated at every connect.
 */
export async function validateEndpointUrl(settings: WebhookSettings, input: string): Promise<string> {
  let url: URL;
  try {
    url = new URL(input.trim());
  } catch {
    throw invalidField(
      'url',
      'url_invalid',
      'is not a valid absolute URL, e.g. https://crm.example.com/webhooks/zupy',
    );
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    throw invalidField('url', 'url_scheme', 'must use https:// (or http://)');
  if (url.username !== '' || url.password !== '') {
    throw invalidField(
      'url',
      'url_credentials',
      'must not carry credentials; verify the X-Zupy-Signature header instead',
    );
  }
  if (url.hash !== '') throw invalidField('url', 'url_fragment', 'must not have a #fragment');
  const normalized = url.toString();
  if (normalized.length > MAX_URL_LENGTH)
    throw invalidField('url', 'too_long', `must be at most ${MAX_URL_LENGTH} characters`, {
      limit: MAX_URL_LENGTH,
    });
  if (!settings.allowPrivateNetwork) {
    try {
      await vetHost(url.hostname, settings.resolve);
    } catch (error) {
      if (error instanceof ForbiddenAddressError)
        throw invalidField('url', 'url_forbidden_address', error.message, { host: error.host });
      throw invalidField('url', 'url_unresolvable', `host ${url.hostname} could not be resolved`, {
        host: url.hostname,
      });
    }
  }
  return normalized;
}
