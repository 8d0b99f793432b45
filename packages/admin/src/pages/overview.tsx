import { api, type Overview } from '../api.js';
import { BarChart } from '../components/bar-chart.js';
import { Notice } from '../components/field.js';
import { describeError, useAsync } from '../components/use-async.js';
import { adminPath, useSession } from '../context.js';

export function OverviewPage() {
  const { t, navigate } = useSession();
  const { data, error } = useAsync(() => api<Overview>('GET', '/stats/overview/'), []);
  if (error) return <Notice kind="error">{describeError(error)}</Notice>;
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
            <li key={e.id}>
              <a
                href={adminPath(`/deliveries?endpoint_id=${e.id}`)}
                onClick={(ev) => {
                  ev.preventDefault();
                  navigate(`/deliveries?endpoint_id=${e.id}`);
                }}
              >
                {e.url}
              </a>{' '}
              {e.enabled ? '' : t('webhooks.disabled', e.disabled_reason ?? '')} · {t('status.failed')}:{' '}
              {e.failed_deliveries_24h} · {t('status.pending')}: {e.pending_deliveries}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
