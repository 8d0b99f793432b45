import { useEffect, useState } from 'preact/hooks';
import { api, type Endpoint } from '../api.js';
import { Notice } from '../components/field.js';
import { describeError, useAsync } from '../components/use-async.js';
import { adminPath, useSession } from '../context.js';
import { formatInt, formatTime } from '../format.js';
import { DeleteEndpoint } from './webhooks/delete-endpoint.js';
import { EndpointDisabled, type Outcome } from './webhooks/endpoint-disabled.js';
import { EndpointForm } from './webhooks/endpoint-form.js';
import { SecretControls } from './webhooks/secret-controls.js';
import { TestSender } from './webhooks/test-sender.js';

/** How often the list is read again, so a probe's re-enable or newly held deliveries show up. */
const REFRESH_MS = 30_000;

/** How Zupy paces the endpoint: its adaptive in-flight limit, its rate limit, a Retry-After pause. */
function FlowLine({ endpoint: ep }: { endpoint: Endpoint }) {
  const { t } = useSession();
  const parts = [
    ep.concurrency_limit !== null ? t('webhooks.inFlight', ep.concurrency_limit) : null,
    ep.rate_limit !== null ? t('webhooks.rateLimit', formatInt(ep.rate_limit, t.language)) : null,
    ep.paused_until !== null ? t('webhooks.pausedUntil', formatTime(ep.paused_until)) : null,
  ].filter((part) => part !== null);
  if (parts.length === 0) return null;
  return (
    <p class="muted" data-testid="flow">
      {parts.join(' · ')}
    </p>
  );
}

function EndpointCard({ endpoint: ep, reload }: { endpoint: Endpoint; reload: () => void }) {
  const { t, me, navigate } = useSession();
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  return (
    <article class="card endpoint" aria-label={ep.url}>
      <h3>
        {ep.url}{' '}
        <span class={`badge ${ep.enabled ? 'ok' : 'bad'}`}>
          {ep.enabled ? t('webhooks.enabled') : t('webhooks.disabledBadge')}
        </span>
      </h3>
      <p class="muted">
        {ep.id} · {ep.events.length ? ep.events.join(', ') : t('webhooks.allCustomerEvents')} ·{' '}
        {t(ep.ordering === 'member' ? 'ordering.member' : 'ordering.none')}
        {ep.description ? ` · ${ep.description}` : ''}
      </p>
      <FlowLine endpoint={ep} />
      {!ep.enabled && (
        <EndpointDisabled
          endpoint={ep}
          onReenabled={(outcome) => {
            setOutcome(outcome);
            reload();
          }}
        />
      )}
      {outcome && <Notice kind={outcome.ok ? 'ok' : 'error'}>{outcome.text}</Notice>}
      <p>
        <a
          href={adminPath(`/deliveries?endpoint_id=${ep.id}`)}
          onClick={(e) => {
            e.preventDefault();
            navigate(`/deliveries?endpoint_id=${ep.id}`);
          }}
        >
          {t('nav.deliveries')}
        </a>
      </p>
      {!me.read_only && (
        <>
          <SecretControls endpoint={ep} />
          <details>
            <summary>{t('save')}…</summary>
            <EndpointForm
              endpoint={ep}
              onSaved={() => {
                setOutcome(null);
                reload();
              }}
            />
          </details>
          <TestSender endpoint={ep} />
          <DeleteEndpoint
            endpoint={ep}
            onDeleted={reload}
            onError={(text) => setOutcome({ ok: false, text })}
          />
        </>
      )}
    </article>
  );
}

export function WebhooksPage() {
  const { t, me } = useSession();
  const { data, error, reload } = useAsync(
    () => api<{ data: Endpoint[] }>('GET', '/webhooks/endpoints/'),
    [],
  );
  const [newSecret, setNewSecret] = useState<string | null>(null);
  useEffect(() => {
    const timer = setInterval(() => {
      if (!document.hidden) reload();
    }, REFRESH_MS);
    return () => clearInterval(timer);
  }, [reload]);
  return (
    <section aria-labelledby="webhooks-title">
      <h1 id="webhooks-title">{t('nav.webhooks')}</h1>
      {error && <Notice kind="error">{describeError(t, error)}</Notice>}
      {newSecret && (
        <Notice kind="ok">
          {t('webhooks.secret')}: <code data-testid="new-secret">{newSecret}</code>
        </Notice>
      )}
      {!me.read_only && (
        <EndpointForm
          onSaved={(secret) => {
            setNewSecret(secret ?? null);
            reload();
          }}
        />
      )}
      <h2>{t('webhooks.endpoints')}</h2>
      {data && data.data.length === 0 && <p>{t('webhooks.empty')}</p>}
      {data?.data.map((ep) => (
        <EndpointCard key={ep.id} endpoint={ep} reload={reload} />
      ))}
    </section>
  );
}
