import type { DisableReasonCode } from '@zupy/webhooks/events';
import type { Translate } from '../../i18n.js';

/** Why an endpoint is disabled, in the panel's language; the server's own words for an unknown code. */
export function disabledReason(t: Translate, code: DisableReasonCode | null, reason: string | null): string {
  switch (code) {
    case 'gone':
      return t('disabled.gone');
    case 'failure_streak':
      return t('disabled.failure_streak');
    case 'manual':
      return t('disabled.manual');
    case null:
      return t('webhooks.disabled', reason ?? '');
  }
}

/** What waits for a disabled endpoint: "123 entregas retidas — serão enviadas quando …". */
export function heldText(t: Translate, held: number): string {
  return held === 0 ? t('held.none') : t.plural('held.count', held);
}
