import { EVENT_TYPES } from '@zupy/webhooks/events';
import { useState } from 'preact/hooks';
import {
  api,
  DELIVERY_STATUSES,
  type Delivery,
  type DeliveryDetail,
  type Endpoint,
  type Page,
} from '../api.js';
import { attemptErrorText } from '../attempt-errors.js';
import { CopyButton } from '../components/copy-button.js';
import { Notice, Select } from '../components/field.js';
import { describeError, useAsync } from '../components/use-async.js';
import { adminPath, useSession } from '../context.js';
import { formatDateTime, formatInt } from '../format.js';

/** A link to a delivery's page inside the panel. */
function DeliveryLink({ id }: { id: string }) {
  const { navigate } = useSession();
  return (
    <a
      href={adminPath(`/deliveries/${id}`)}
      onClick={(e) => {
        e.preventDefault();
        navigate(`/deliveries/${id}`);
      }}
    >
      {id}
    </a>
  );
}

const retrying = (d: Delivery) => d.status === 'pending' && d.attempts_count > 0;

/** Its state in words and colour, and, when it waits for the member's earlier delivery, a link to it. */
function DeliveryState({ delivery }: { delivery: Delivery }) {
  const { t } = useSession();
  return (
    <>
      {retrying(delivery) ? (
        // Pending after a failed attempt: it is failing and Zupy tries again, not merely queued.
        <span class="badge status-retrying">{t('deliveries.retrying')}</span>
      ) : (
        <span class={`badge status-${delivery.status}`}>{t(`status.${delivery.status}`)}</span>
      )}
      {retrying(delivery) && delivery.next_attempt_at && (
        <span class="waiting">
          {' '}
          {t('deliveries.nextAttempt')}: {formatDateTime(delivery.next_attempt_at)}
        </span>
      )}
      {delivery.waiting_for && (
        <span class="waiting">
          {' '}
          {t('deliveries.waiting')} (<DeliveryLink id={delivery.waiting_for} />)
        </span>
      )}
    </>
  );
}

/** "teste" or "verificação" (Zupy probing a disabled endpoint); nothing for an event. */
function KindBadge({ delivery }: { delivery: Delivery }) {
  const { t } = useSession();
  if (delivery.kind === 'event') return null;
  return <span class={`badge kind-${delivery.kind}`}>{t(`kind.${delivery.kind}`)}</span>;
}

export function DeliveriesPage({ initialEndpoint }: { initialEndpoint: string }) {
  const { t, me } = useSession();
  const [endpoint, setEndpoint] = useState(initialEndpoint);
  const [event, setEvent] = useState('');
  const [status, setStatus] = useState('');
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
  const endpoints = useAsync(() => api<{ data: Endpoint[] }>('GET', '/webhooks/endpoints/'), []);
  const query =
    '/webhooks/deliveries/?page_size=50' +
    (endpoint ? `&endpoint_id=${endpoint}` : '') +
    (event ? `&event=${event}` : '') +
    (status ? `&status=${status}` : '');
  // The total of every page, counted by the API (only when asked); the page shows the newest 50.
  const { data, error, reload } = useAsync(
    () => api<Page<Delivery>>('GET', `${query}&include_total=true`),
    [query],
  );
  const replay = async () => {
    try {
      const result = await api<{ count: number }>('POST', `/webhooks/endpoints/${endpoint}/replay/`, {
        status: 'failed',
      });
      setMessage({ ok: true, text: t('deliveries.replayed', result.count) });
      reload();
    } catch (err) {
      setMessage({ ok: false, text: describeError(t, err) });
    }
  };
  return (
    <section aria-labelledby="deliveries-title">
      <h1 id="deliveries-title">{t('nav.deliveries')}</h1>
      <div class="filters">
        <Select
          label={t('deliveries.endpoint')}
          value={endpoint}
          onChange={setEndpoint}
          options={[
            { value: '', label: t('deliveries.any') },
            ...(endpoints.data?.data ?? []).map((e) => ({ value: e.id, label: e.url })),
          ]}
        />
        <Select
          label={t('deliveries.event')}
          value={event}
          onChange={setEvent}
          options={[
            { value: '', label: t('deliveries.any') },
            ...EVENT_TYPES.map((e) => ({ value: e, label: e })),
          ]}
        />
        <Select
          label={t('deliveries.status')}
          value={status}
          onChange={setStatus}
          options={[
            { value: '', label: t('deliveries.any') },
            ...DELIVERY_STATUSES.map((s) => ({
              value: s,
              label: t(`status.${s}`),
            })),
          ]}
        />
      </div>
      {endpoint && !me.read_only && (
        <button type="button" class="secondary" onClick={() => void replay()}>
          {t('deliveries.replayFailed')}
        </button>
      )}
      {message && <Notice kind={message.ok ? 'ok' : 'error'}>{message.text}</Notice>}
      {error && <Notice kind="error">{describeError(t, error)}</Notice>}
      {data && data.data.length === 0 && <p>{t('deliveries.empty')}</p>}
      {data && data.data.length > 0 && (
        <div class="table-wrap">
          <p class="muted" data-testid="deliveries-total">
            {t.plural('deliveries.total', data.meta.total ?? data.data.length)}
            {data.meta.has_next ? ` · ${t('deliveries.showingNewest', data.data.length)}` : ''}
          </p>
          <table class="cards">
            <thead>
              <tr>
                <th scope="col">ID</th>
                <th scope="col">{t('deliveries.endpoint')}</th>
                <th scope="col">{t('deliveries.event')}</th>
                <th scope="col">{t('deliveries.status')}</th>
                <th scope="col">{t('deliveries.attempts')}</th>
                <th scope="col">{t('deliveries.created')}</th>
              </tr>
            </thead>
            <tbody>
              {data.data.map((d) => (
                <tr key={d.id}>
                  <td data-label="ID">
                    <span>
                      <DeliveryLink id={d.id} />
                      <KindBadge delivery={d} />
                    </span>
                  </td>
                  <td data-label={t('deliveries.endpoint')}>
                    {endpoints.data?.data.find((e) => e.id === d.endpoint_id)?.url ?? d.endpoint_id}
                  </td>
                  <td data-label={t('deliveries.event')}>{d.event_type}</td>
                  <td data-label={t('deliveries.status')}>
                    <span>
                      <DeliveryState delivery={d} />
                    </span>
                  </td>
                  <td data-label={t('deliveries.attempts')}>{formatInt(d.attempts_count, t.language)}</td>
                  <td data-label={t('deliveries.created')}>{formatDateTime(d.created_at)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

export function DeliveryDetailPage({ id }: { id: string }) {
  const { t, me } = useSession();
  const { data, error, reload } = useAsync(
    () => api<DeliveryDetail>('GET', `/webhooks/deliveries/${id}/`),
    [id],
  );
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
  const redeliver = async () => {
    try {
      await api('POST', `/webhooks/deliveries/${id}/redeliver/`);
      setMessage({ ok: true, text: t('deliveries.redelivered') });
      setTimeout(reload, 1000);
    } catch (err) {
      setMessage({ ok: false, text: describeError(t, err) });
    }
  };
  if (error) return <Notice kind="error">{describeError(t, error)}</Notice>;
  if (!data) return <p>{t('loading')}</p>;
  return (
    <section aria-labelledby="delivery-title">
      <h1 id="delivery-title">{data.id}</h1>
      <p>
        {data.event_type} · {data.event_id} <KindBadge delivery={data} /> · <DeliveryState delivery={data} />{' '}
        · {t('deliveries.attempts')}: {data.attempts_count} · {t('deliveries.created')}{' '}
        {formatDateTime(data.created_at)}
        {data.next_attempt_at && ` · ${t('deliveries.nextAttempt')}: ${formatDateTime(data.next_attempt_at)}`}
      </p>
      <dl class="profile">
        <dt>{t('deliveries.endpoint')}</dt>
        <dd data-testid="delivery-endpoint">
          {data.endpoint_url ?? data.endpoint_id}
          {data.endpoint_description ? ` · ${data.endpoint_description}` : ''}
        </dd>
      </dl>
      {data.body !== null && (
        <>
          <h2>{t('deliveries.body')}</h2>
          {/* The bytes the signatures cover, as sent: paste them into `zupy verify` as they are. */}
          <pre data-testid="delivery-body">{data.body}</pre>
          <CopyButton text={data.body} label={t('deliveries.copyBody')} />
        </>
      )}
      {!me.read_only && (
        <button type="button" onClick={() => void redeliver()}>
          {t('deliveries.redeliver')}
        </button>
      )}
      {message && <Notice kind={message.ok ? 'ok' : 'error'}>{message.text}</Notice>}
      {data.attempts.map((a) => (
        <article class="card" key={a.attempt} aria-label={t('deliveries.attempt', a.attempt)}>
          <h2>
            {t('deliveries.attempt', a.attempt)} · {a.response_status ?? '—'} ·{' '}
            {formatInt(a.duration_ms, t.language)} ms
          </h2>
          <p class="muted">{formatDateTime(a.started_at, { seconds: true })}</p>
          {a.error && (
            <Notice kind="error">
              <span data-testid="attempt-error">{attemptErrorText(t, a)}</span>
            </Notice>
          )}
          <h3>{t('webhooks.request')}</h3>
          <pre>
            {Object.entries(a.request_headers)
              .map(([k, v]) => `${k}: ${v}`)
              .join('\n')}
          </pre>
          <h3>{t('webhooks.response')}</h3>
          <pre>{a.response_body ?? ''}</pre>
        </article>
      ))}
    </section>
  );
}
