import { useState } from 'preact/hooks';
import { api, type Endpoint } from '../../api.js';
import { ConfirmDialog } from '../../components/confirm-dialog.js';
import { Notice } from '../../components/field.js';
import { describeError } from '../../components/use-async.js';
import { useSession } from '../../context.js';
import { formatDateTime } from '../../format.js';

/** Reveal, copy and rotate the signing secret; rotating asks first and says what each header carries. */
export function SecretControls({ endpoint }: { endpoint: Endpoint }) {
  const { t } = useSession();
  const [secret, setSecret] = useState<string | null>(null);
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  const run = async (action: () => Promise<void>) => {
    try {
      await action();
    } catch (err) {
      setMessage({ ok: false, text: describeError(t, err) });
    }
  };
  const fetchSecret = async () =>
    (await api<{ secret: string }>('GET', `/webhooks/endpoints/${endpoint.id}/secret/`)).secret;
  const rotate = async () => {
    setBusy(true);
    await run(async () => {
      const rotated = await api<{ secret: string; previous_secret_expires_at: string | null }>(
        'POST',
        `/webhooks/endpoints/${endpoint.id}/secret/rotate/`,
        {},
      );
      setSecret(rotated.secret);
      const until = rotated.previous_secret_expires_at;
      setMessage({
        ok: true,
        text: until ? t('webhooks.rotated', formatDateTime(until)) : t('webhooks.rotatedNow'),
      });
    });
    setBusy(false);
    setConfirming(false);
  };
  return (
    <div class="secret">
      <span>{t('webhooks.secret')}: </span>
      <code data-testid="secret">{secret ?? 'whsec_••••••••'}</code>{' '}
      <button
        type="button"
        class="secondary"
        onClick={() => void run(async () => setSecret(await fetchSecret()))}
      >
        {t('webhooks.reveal')}
      </button>{' '}
      <button
        type="button"
        class="secondary"
        onClick={() =>
          void run(async () => {
            await navigator.clipboard.writeText(secret ?? (await fetchSecret()));
            setMessage({ ok: true, text: t('webhooks.copied') });
          })
        }
      >
        {t('webhooks.copy')}
      </button>{' '}
      <button type="button" class="secondary" onClick={() => setConfirming(true)}>
        {t('webhooks.rotate')}
      </button>
      {confirming && (
        <ConfirmDialog
          title={t('rotate.title')}
          confirmLabel={t('rotate.confirm')}
          busy={busy}
          onConfirm={() => void rotate()}
          onCancel={() => setConfirming(false)}
        >
          <p>{t('rotate.body')}</p>
        </ConfirmDialog>
      )}
      {message && <Notice kind={message.ok ? 'ok' : 'error'}>{message.text}</Notice>}
    </div>
  );
}
