import { api, type Endpoint, type Overview } from '../api.js';
import { BarChart } from '../components/bar-chart.js';
import { Notice } from '../components/field.js';
import { describeError, useAsync } from '../components/use-async.js';
import { adminPath, useSession } from '../context.js';
import { formatDateTime } from '../format.js';
import { disabledReason } from './webhooks/disabled-reason.js';

type Health = Overview['endpoints'][number];

/** One endpoint that needs attention: why, what failed, what waits, and when Zupy checks it next. */
function AttentionItem({ health, endpoint }: { health: Health; endpoint: Endpoint | undefined }) {
  const { t, navigate } = useSession();
  const facts = [
    health.enabled
      ? null
      : disabledReason(
          t,
          endpoint?.disabled_code ?? null,
          endpoint?.disabled_reason ?? health.disabled_reason,
        ),
    `${t('status.failed')}: ${health.failed_deliveries_24h}`,
    `${t('status.pending')}: ${health.pending_deliveries}`,
    health.held_deliveries > 0 ? t.plural('held.short', health.held_deliveries) : null,
    health.next_probe_at ? t('overview.nextProbe', formatDateTime(health.next_probe_at)) : null,
  ].filter((fact) => fact !== null);
  return (
    <li>
      <a
        href={adminPath(`/deliveries?endpoint_id=${health.id}`)}
        onClick={(ev) => {
          ev.preventDefault();
          navigate(`/deliveries?endpoint_id=${health.id}`);
        }}
      >
        {health.url}
      </a>{' '}
      — {facts.join(' · ')}
    </li>
  );
}

export function OverviewPage() {
  const { t } = useSession();
  const { data, error } = useAsync(() => api<Overview>('GET', '/stats/overview/'), []);
  // The overview has the counts; the endpoints say why each disabled one is disabled (`disabled_code`).
  const endpoints = useAsync(() => api<{ data: Endpoint[] }>('GET', '/webhooks/endpoints/'), []);
  if (error) return <Notice kind="error">{describeError(t, error)}</Notice>;
  if (!data) return <p>{t('loading')}</p>;
  const attention = data.endpoints.filter((e) => e.needs_attention);
  return (
    <section aria-labelledby="overview-title">
      <h1 id="overview-title">{t('nav.overview')}</h1>
      <div class="grid">
        <BarChart
          title={`${t('overview.members')} (${data.members_total})`}
          bars={Object.entries(data.members_by_tier).map(([label, value]) => ({ label, value }))}
        />
        <BarChart
          title={t('overview.activity')}
          bars={data.days.map((d) => ({ label: d.date, value: d.registrations, value2: d.tier_upgrades }))}
          legend={[t('overview.registrations'), t('overview.upgrades')]}
        />
        <BarChart
          title={`${t('overview.endpoints')}: ${t('overview.successRate')}`}
          bars={data.endpoints.map((e) => ({ label: new URL(e.url).host, value: e.success_rate_24h ?? 0 }))}
          unit="%"
        />
        <BarChart
          title={`${t('overview.endpoints')}: ${t('overview.latency')} (ms)`}
          bars={data.endpoints.map((e) => ({
            label: new URL(e.url).host,
            value: e.latency_p50_ms ?? 0,
            value2: e.latency_p95_ms ?? 0,
          }))}
          legend={['p50', 'p95']}
          unit=" ms"
        />
      </div>
      <h2>{t('overview.attention')}</h2>
      {attention.length === 0 ? (
        <p>{t('overview.allGood')}</p>
      ) : (
        <ul class="attention">
          {attention.map((e) => (
            <AttentionItem
              key={e.id}
              health={e}
              endpoint={endpoints.data?.data.find((ep) => ep.id === e.id)}
            />
          ))}
        </ul>
      )}
    </section>
  );
}
