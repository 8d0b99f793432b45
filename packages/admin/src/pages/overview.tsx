import { api, type Endpoint, type Overview } from '../api.js';
import { BarChart } from '../components/bar-chart.js';
import { Notice } from '../components/field.js';
import { describeError, useAsync } from '../components/use-async.js';
import { adminPath, useSession } from '../context.js';
import { formatDateTime, formatDay, formatInt } from '../format.js';
import { tierName } from '../i18n.js';
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
    `${t('status.failed')}: ${formatInt(health.failed_deliveries_24h, t.language)}`,
    `${t('status.pending')}: ${formatInt(health.pending_deliveries, t.language)}`,
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
  const int = (n: number) => formatInt(n, t.language);
  const percent = (n: number) =>
    `${new Intl.NumberFormat(t.language, { maximumFractionDigits: 1 }).format(n)} %`;
  const host = (url: string) => {
    try {
      return new URL(url).host;
    } catch {
      return url;
    }
  };
  const tiers = Object.entries(data.members_by_tier).filter(([, n]) => n > 0);
  const active = data.days.some((d) => d.registrations > 0 || d.tier_upgrades > 0);
  return (
    <section aria-labelledby="overview-title">
      <h1 id="overview-title">{t('nav.overview')}</h1>
      <div class="grid">
        <BarChart
          title={`${t('overview.members')} (${t.plural('overview.membersTotal', data.members_total)})`}
          bars={tiers.map(([tier, n]) => ({ label: tierName(t, tier), value: n, text: int(n) }))}
          empty={t('overview.noMembers')}
        />
        <BarChart
          title={t('overview.activity')}
          bars={
            active
              ? data.days.map((d) => ({
                  label: formatDay(d.date),
                  value: d.registrations,
                  text: int(d.registrations),
                  value2: d.tier_upgrades,
                  text2: int(d.tier_upgrades),
                }))
              : []
          }
          legend={[t('overview.registrations'), t('overview.upgrades')]}
          empty={t('overview.noActivity')}
        />
        <BarChart
          title={`${t('overview.endpoints')}: ${t('overview.successRate')}`}
          bars={data.endpoints.map((e) => ({
            label: host(e.url),
            value: e.success_rate_24h,
            text: e.success_rate_24h === null ? t('overview.noAttempts') : percent(e.success_rate_24h),
          }))}
          max={100}
          empty={t('overview.noEndpoints')}
        />
        <BarChart
          title={`${t('overview.endpoints')}: ${t('overview.latency')}`}
          bars={data.endpoints.map((e) => ({
            label: host(e.url),
            value: e.latency_p50_ms,
            text: e.latency_p50_ms === null ? t('overview.neverAnswered') : `p50 ${int(e.latency_p50_ms)} ms`,
            value2: e.latency_p95_ms,
            text2: e.latency_p95_ms === null ? '' : `p95 ${int(e.latency_p95_ms)} ms`,
          }))}
          legend={['p50', 'p95']}
          empty={t('overview.noEndpoints')}
        />
      </div>
      <h2>{t('overview.attention')}</h2>
      {data.endpoints.length === 0 ? (
        <p>{t('overview.noEndpoints')}</p>
      ) : attention.length === 0 ? (
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
