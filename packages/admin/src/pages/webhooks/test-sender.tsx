import { CUSTOMER_EVENT_TYPES, OPERATIONAL_EVENT_TYPES } from '@zupy/webhooks/events';
import { useState } from 'preact/hooks';
import { api, type Endpoint, type TestSend } from '../../api.js';
import { Notice, Select } from '../../components/field.js';
import { CopyButton } from '../../components/copy-button.js';
import { describeError } from '../../components/use-async.js';
import { useSession } from '../../context.js';
import { attemptErrorText } from '../../attempt-errors.js';
import { formatInt } from '../../format.js';

/** Sends the sample of an event, signed for real, and shows the exact request and the answer. */
export function TestSender({ endpoint }: { endpoint: Endpoint }) {
  const { t } = useSession();
  const [type, setType] = useState<string>(CUSTOMER_EVENT_TYPES[0]);
  const [result, setResult] = useState<TestSend | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const send = async () => {
    setBusy(true);
    setError(null);
    try {
      setResult(await api<TestSend>('POST', `/webhooks/endpoints/${endpoint.id}/test/`, { event: type }));
    } catch (err) {
      setError(describeError(t, err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <div class="test-sender">
      <h3>{t('webhooks.test')}</h3>
      <Select
        label={t('webhooks.eventType')}
        value={type}
        onChange={setType}
        options={[
          ...CUSTOMER_EVENT_TYPES.map((v) => ({ value: v, label: v, group: t('webhooks.events') })),
          ...OPERATIONAL_EVENT_TYPES.map((v) => ({
            value: v,
            label: v,
            group: t('webhooks.operationalEvents'),
          })),
        ]}
      />
      <button type="button" onClick={() => void send()} disabled={busy}>
        {t('webhooks.send')}
      </button>
      {error && <Notice kind="error">{error}</Notice>}
      {result && (
        <div class="exchange" data-testid="test-result">
          <Notice kind={result.success ? 'ok' : 'error'}>
            {result.status_code ?? '—'}{' '}
            <span data-testid="test-error">{result.success ? 'OK' : attemptErrorText(t, result)}</span> (
            {formatInt(result.response.duration_ms, t.language)} ms)
          </Notice>
          <h4>{t('webhooks.request')}</h4>
          <pre>
            {`POST ${result.request.url}\n` +
              Object.entries(result.request.headers)
                .map(([k, v]) => `${k}: ${v}`)
                .join('\n')}
          </pre>
          <h4>{t('webhooks.signedBody')}</h4>
          {/* Not pretty-printed: these are the bytes the signatures cover, to paste into `zupy verify`. */}
          <pre data-testid="signed-body">{result.request.body}</pre>
          <CopyButton text={result.request.body} label={t('webhooks.copyBody')} />
          <h4>{t('webhooks.response')}</h4>
          <pre>{`${result.response.status ?? '—'}\n\n${result.response.body ?? attemptErrorText(t, result) ?? ''}`}</pre>
        </div>
      )}
    </div>
  );
}
