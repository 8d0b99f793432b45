import type { Kysely } from 'kysely';
import type { Tables } from '../db/tables.js';
import { listEndpoints } from '../webhooks/endpoint-store.js';

export interface DayCount {
  date: string;
  registrations: number;
  tier_upgrades: number;
}

export interface EndpointHealth {
  id: string;
  url: string;
  enabled: boolean;
  disabled_reason: string | null;
  failing_since: string | null;
  attempts_24h: number;
  success_rate_24h: number | null;
  latency_p50_ms: number | null;
  latency_p95_ms: number | null;
  failed_deliveries_24h: number;
  pending_deliveries: number;
  needs_attention: boolean;
}

export interface OverviewStats {
  members_by_tier: Record<string, number>;
  members_total: number;
  days: DayCount[];
  endpoints: EndpointHealth[];
}

const DAYS = 14;

function percentile(sorted: number[], p: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.floor((sorted.length - 1) * p))]!;
}

/** What the admin panel's overview shows: members by tier, activity per day, endpoint health over 24 h. */
export async function overviewStats(
  db: Kysely<Tables>,
  companyId: string,
  now: Date,
): Promise<OverviewStats> {
  const tiers = await db
    .selectFrom('customers')
    .select(['tier', (eb) => eb.fn.countAll<number>().as('n')])
    .where('company_id', '=', companyId)
    .groupBy('tier')
    .execute();
  const members_by_tier = Object.fromEntries(tiers.map((t) => [t.tier, Number(t.n)]));

  const since = new Date(now.getTime() - (DAYS - 1) * 86_400_000);
  since.setUTCHours(0, 0, 0, 0);
  const events = await db
    .selectFrom('events')
    .select(['type', 'created_at'])
    .where('company_id', '=', companyId)
    .where('is_test', '=', 0)
    .where('created_at', '>=', since.toISOString())
    .execute();
  const days: DayCount[] = Array.from({ length: DAYS }, (_, i) => ({
    date: new Date(since.getTime() + i * 86_400_000).toISOString().slice(0, 10),
    registrations: 0,
    tier_upgrades: 0,
  }));
  const byDate = new Map(days.map((d) => [d.date, d]));
  for (const e of events) {
    const day = byDate.get(e.created_at.slice(0, 10));
    if (!day) continue;
    if (e.type === 'customer.registered') day.registrations++;
    else if (e.type === 'tier.upgraded') day.tier_upgrades++;
  }

  const dayAgo = new Date(now.getTime() - 86_400_000).toISOString();
  const attempts = await db
    .selectFrom('delivery_attempts as a')
    .innerJoin('deliveries as d', 'd.id', 'a.delivery_id')
    .select(['d.endpoint_id', 'a.response_status', 'a.duration_ms'])
    .where('d.company_id', '=', companyId)
    .where('d.is_test', '=', 0)
    .where('a.started_at', '>=', dayAgo)
    .execute();
  const deliveryCounts = await db
    .selectFrom('deliveries')
    .select(['endpoint_id', 'status', (eb) => eb.fn.countAll<number>().as('n')])
    .where('company_id', '=', companyId)
    .where('is_test', '=', 0)
    .where((eb) => eb.or([eb('status', '=', 'pending'), eb('updated_at', '>=', dayAgo)]))
    .groupBy(['endpoint_id', 'status'])
    .execute();

  const endpoints = (await listEndpoints(db, companyId)).map((ep): EndpointHealth => {
    const mine = attempts.filter((a) => a.endpoint_id === ep.id);
    const ok = mine.filter(
      (a) => a.response_status !== null && a.response_status >= 200 && a.response_status < 300,
    );
    const durations = mine.map((a) => Number(a.duration_ms)).sort((x, y) => x - y);
    const count = (status: string) =>
      Number(deliveryCounts.find((c) => c.endpoint_id === ep.id && c.status === status)?.n ?? 0);
    const failed = count('failed');
    return {
      id: ep.id,
      url: ep.url,
      enabled: ep.enabled === 1,
      disabled_reason: ep.disabled_reason,
      failing_since: ep.failing_since,
      attempts_24h: mine.length,
      success_rate_24h: mine.length === 0 ? null : Math.round((ok.length / mine.length) * 1000) / 10,
      latency_p50_ms: percentile(durations, 0.5),
      latency_p95_ms: percentile(durations, 0.95),
      failed_deliveries_24h: failed,
      pending_deliveries: count('pending'),
      needs_attention: ep.enabled === 0 || ep.failing_since !== null || failed > 0,
    };
  });
  return {
    members_by_tier,
    members_total: Object.values(members_by_tier).reduce((a, b) => a + b, 0),
    days,
    endpoints,
  };
}
