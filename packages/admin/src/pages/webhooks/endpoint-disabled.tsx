import { useId, useState } from 'preact/hooks';
import { api, type Endpoint } from '../../api.js';
import { ConfirmDialog } from '../../components/confirm-dialog.js';
import { describeError } from '../../components/use-async.js';
import { useSession } from '../../context.js';
import { formatDateTime } from '../../format.js';
import { disabledReason, heldText } from './disabled-reason.js';

export interface Outcome {
  ok: boolean;
  text: string;
}

/**
 * "Reativar": enables the endpoint, and its held deliveries flow; or, only when the person checks
 * the box and then confirms, drops them (`discard_held`).
 */
function Reenable({ endpoint, onDone }: { endpoint: Endpoint; onDone: (outcome: Outcome) => void }) {
  const { t } = useSession();
  const id = useId();
  const held = endpoint.held_deliveries;
  const [discard, setDiscard] = useState(false);
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  const enable = async (discardHeld: boolean) => {
    setBusy(true);
    try {
      await api('PATCH', `/webhooks/endpoints/${endpoint.id}/`, {
        enabled: true,
        ...(discardHeld ? { discard_held: true } : {}),
      });
      const text =
        held === 0
          ? t('reenable.done')
          : t.plural(discardHeld ? 'reenable.discarded' : 'reenable.resumed', held);
      onDone({ ok: true, text });
    } catch (err) {
      onDone({ ok: false, text: describeError(t, err) });
    } finally {
      setBusy(false);
      setConfirming(false);
    }
  };
  const discarding = discard && held > 0;
  return (
    <div class="reenable">
      {held > 0 && (
        <label class="check" for={id}>
          <input
            id={id}
            type="checkbox"
            checked={discard}
            onChange={(e) => setDiscard(e.currentTarget.checked)}
          />{' '}
          {t.plural('reenable.discard', held)}
        </label>
      )}
      <button
        type="button"
        disabled={busy}
        onClick={() => (discarding ? setConfirming(true) : void enable(false))}
      >
        {t('reenable.button')}
      </button>
      {confirming && (
        <ConfirmDialog
          title={t.plural('reenable.confirmTitle', held)}
          confirmLabel={t('reenable.confirm')}
          danger
          busy={busy}
          onConfirm={() => void enable(true)}
          onCancel={() => setConfirming(false)}
        >
          <p>{t('reenable.confirmBody')}</p>
        </ConfirmDialog>
      )}
    </div>
  );
}

/** A disabled endpoint: why, since when, what is held, and whether Zupy checks it by itself. */
export function EndpointDisabled({
  endpoint,
  onReenabled,
}: {
  endpoint: Endpoint;
  onReenabled: (outcome: Outcome) => void;
}) {
  const { t, me } = useSession();
  const probed = endpoint.disabled_code === 'failure_streak';
  return (
    <div class="notice notice-warn disabled-status" data-testid="disabled-status">
      <p>
        <strong>{disabledReason(t, endpoint.disabled_code, endpoint.disabled_reason)}</strong>
        {endpoint.disabled_at && ` (${t('disabled.since', formatDateTime(endpoint.disabled_at))})`}
      </p>
      <p data-testid="held">{heldText(t, endpoint.held_deliveries)}</p>
      {probed && endpoint.next_probe_at && (
        <p>
          <span data-testid="next-probe">
            {t('disabled.nextProbe', formatDateTime(endpoint.next_probe_at))}
          </span>
          . {t('disabled.probeHint')}
        </p>
      )}
      {!probed && <p>{t('disabled.personOnly')}</p>}
      {!me.read_only && <Reenable endpoint={endpoint} onDone={onReenabled} />}
    </div>
  );
}
