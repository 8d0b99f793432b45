import { useState } from 'preact/hooks';
import { api, type AuditEntry, type Page } from '../api.js';
import { Field, Notice } from '../components/field.js';
import { describeError, useAsync } from '../components/use-async.js';
import { useSession } from '../context.js';
import { formatDateTime } from '../format.js';

/** The audit log: who wrote what, when (GET /audit-log/), and whether its hash chain holds. */
export function AuditPage() {
  const { t } = useSession();
  const [target, setTarget] = useState('');
  const [action, setAction] = useState('');
  const [filter, setFilter] = useState({ target: '', action: '' });
  const query = new URLSearchParams({ page_size: '100' });
  if (filter.target) query.set('target', filter.target);
  if (filter.action) query.set('action', filter.action);
  const list = useAsync(
    () => api<Page<AuditEntry>>('GET', `/audit-log/?${query.toString()}`),
    [filter.target, filter.action],
  );
  const chain = useAsync(
    () => api<{ ok: boolean; checked: number; broken_at: number | null }>('GET', '/audit-log/verify/'),
    [],
  );
  return (
    <section aria-labelledby="audit-title">
      <h1 id="audit-title">{t('nav.audit')}</h1>
      <p>{t('audit.hint')}</p>
      {chain.data && (
        <Notice kind={chain.data.ok ? 'ok' : 'error'}>
          {chain.data.ok
            ? t('audit.chainOk', chain.data.checked)
            : t('audit.chainBroken', chain.data.broken_at ?? 0)}
        </Notice>
      )}
      <form
        class="filters"
        aria-label={t('audit.filter')}
        onSubmit={(e) => {
          e.preventDefault();
          setFilter({ target: target.trim(), action: action.trim() });
        }}
      >
        <Field label={t('audit.target')} value={target} onInput={setTarget} name="target" />
        <Field label={t('audit.action')} value={action} onInput={setAction} name="action" />
        <button type="submit">{t('audit.filter')}</button>
      </form>
      {list.error && <Notice kind="error">{describeError(t, list.error)}</Notice>}
      {list.data && list.data.data.length === 0 && <p>{t('audit.empty')}</p>}
      {list.data && list.data.data.length > 0 && (
        <div class="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">{t('audit.when')}</th>
                <th scope="col">{t('audit.who')}</th>
                <th scope="col">{t('audit.address')}</th>
                <th scope="col">{t('audit.action')}</th>
                <th scope="col">{t('audit.target')}</th>
                <th scope="col">{t('audit.status')}</th>
              </tr>
            </thead>
            <tbody>
              {list.data.data.map((e) => (
                <tr key={e.seq}>
                  <td>{formatDateTime(e.at, { seconds: true })}</td>
                  <td>{e.actor === 'cli' ? 'cli' : `${e.actor} · ${e.key_prefix ?? ''}…`}</td>
                  <td>{e.address ?? '—'}</td>
                  <td>
                    <code>{e.action}</code>
                  </td>
                  <td>{e.target_id ?? '—'}</td>
                  <td>{e.status ?? '—'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
