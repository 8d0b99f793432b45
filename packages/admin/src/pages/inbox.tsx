import { api, type InboxEntry, type Page } from '../api.js';
import { Notice } from '../components/field.js';
import { describeError, useAsync } from '../components/use-async.js';
import { useSession } from '../context.js';
import { formatDateTime, formatInt } from '../format.js';
import { skipReasonText } from '../skip-reasons.js';

/**
 * The bodies partners' order feeds sent (`GET /webhooks/integrations/inbox/`), newest first, with
 * what became of each order: credited, a duplicate, or skipped and why.
 */
export function InboxPage() {
  const { t } = useSession();
  const inbox = useAsync(
    () => api<Page<InboxEntry>>('GET', '/webhooks/integrations/inbox/?page_size=50'),
    [],
  );
  return (
    <section aria-labelledby="inbox-title">
      <h1 id="inbox-title">{t('nav.inbox')}</h1>
      <p>{t('inbox.intro')}</p>
      {inbox.error && <Notice kind="error">{describeError(t, inbox.error)}</Notice>}
      {inbox.data?.data.length === 0 && <p>{t('inbox.empty')}</p>}
      {inbox.data?.data.map((entry) => (
        <article class="card" key={entry.id} aria-label={entry.id}>
          <h2>
            {entry.partner} · {formatDateTime(entry.received_at)} ·{' '}
            <span data-testid="inbox-status">{t(`inbox.status.${entry.status}`)}</span>
          </h2>
          {entry.summary && (
            <p data-testid="inbox-summary">
              {t(
                'inbox.summary',
                entry.summary.orders,
                entry.summary.credited,
                entry.summary.duplicate,
                entry.summary.skipped,
                entry.summary.enrolled,
              )}
            </p>
          )}
          {entry.last_error && (
            // Processing failed inside Zupy (not the partner's data: that is a skipped order):
            // said in the panel's language, with the server's own words folded away for whoever runs it.
            <Notice kind="error">
              <span data-testid="inbox-error">
                {t.plural(
                  entry.status === 'failed' ? 'inbox.error.givenUp' : 'inbox.error.retrying',
                  entry.attempts,
                )}
              </span>
              <details>
                <summary>{t('inbox.error.detail')}</summary>
                <code>{entry.last_error}</code>
              </details>
            </Notice>
          )}
          {entry.orders && entry.orders.length > 0 && (
            <div class="table-wrap">
              <table>
                <thead>
                  <tr>
                    <th scope="col">#</th>
                    <th scope="col">{t('order.id')}</th>
                    <th scope="col">{t('inbox.outcome')}</th>
                    <th scope="col">{t('profile.member')}</th>
                    <th scope="col">{t('customers.points')}</th>
                  </tr>
                </thead>
                <tbody>
                  {entry.orders.map((o) => (
                    <tr key={o.index}>
                      <td>{o.index + 1}</td>
                      <td>{o.order_id ?? '—'}</td>
                      <td>
                        {t(`inbox.outcome.${o.outcome}`)}
                        {o.enrolled ? ` · ${t('inbox.enrolled')}` : ''}
                        {o.outcome === 'skipped' && (o.reason_code ?? o.reason) !== null && (
                          <span data-testid="skip-reason">: {skipReasonText(t, o)}</span>
                        )}
                      </td>
                      <td>{o.member_id ?? '—'}</td>
                      <td>{o.points_earned === null ? '—' : formatInt(o.points_earned, t.language)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </article>
      ))}
    </section>
  );
}
