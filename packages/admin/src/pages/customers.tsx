import { useState } from 'preact/hooks';
import { TIER_NAMES } from '@zupy/webhooks/events';
import { api, ApiError, type Customer, type Page } from '../api.js';
import { formatInt, formatPhone } from '../format.js';
import { tierName } from '../i18n.js';
import { fieldError } from '../api-messages.js';
import { Field, Notice, Select } from '../components/field.js';
import { describeError, useAsync } from '../components/use-async.js';
import { adminPath, useSession } from '../context.js';

function RegisterForm({ onRegistered }: { onRegistered: () => void }) {
  const { t, navigate } = useSession();
  const [form, setForm] = useState({ name: '', phone: '', email: '', cpf: '' });
  const [error, setError] = useState<ApiError | null>(null);
  const [message, setMessage] = useState<{ text: string; id: string } | null>(null);
  const set = (field: keyof typeof form) => (value: string) => setForm({ ...form, [field]: value });
  const submit = async (e: Event) => {
    e.preventDefault();
    setError(null);
    setMessage(null);
    try {
      const body = {
        name: form.name,
        phone: form.phone,
        email: form.email || null,
        cpf: form.cpf || null,
        channel: 'pos',
      };
      const result = await api<{ created: boolean; matched_on?: string; customer: Customer }>(
        'POST',
        '/customers/',
        body,
      );
      setMessage({
        text: result.created ? t('customers.created') : t('customers.matched', result.matched_on ?? ''),
        id: result.customer.member_id,
      });
      if (result.created) setForm({ name: '', phone: '', email: '', cpf: '' });
      onRegistered();
    } catch (err) {
      setError(err instanceof ApiError ? err : new ApiError(0, 'Error', String(err), []));
    }
  };
  const general = error && error.fieldErrors.length === 0 ? describeError(t, error) : null;
  return (
    <form class="card" onSubmit={(e) => void submit(e)} aria-labelledby="register-title" noValidate>
      <h2 id="register-title">{t('customers.register')}</h2>
      <Field
        label={t('customers.name')}
        value={form.name}
        onInput={set('name')}
        error={fieldError(t, error, 'name')}
        name="name"
      />
      <Field
        label={t('customers.phone')}
        value={form.phone}
        onInput={set('phone')}
        error={fieldError(t, error, 'phone')}
        inputMode="tel"
        name="phone"
        hint="(11) 96595-8122"
      />
      <Field
        label={t('customers.email')}
        value={form.email}
        onInput={set('email')}
        error={fieldError(t, error, 'email')}
        name="email"
        inputMode="email"
      />
      <Field
        label={t('customers.cpf')}
        value={form.cpf}
        onInput={set('cpf')}
        error={fieldError(t, error, 'cpf')}
        name="cpf"
        inputMode="numeric"
      />
      {general && <Notice kind="error">{general}</Notice>}
      {message && (
        <Notice kind="ok">
          {message.text}{' '}
          <a
            href={adminPath(`/customers/${message.id}`)}
            onClick={(e) => {
              e.preventDefault();
              navigate(`/customers/${message.id}`);
            }}
          >
            {message.id}
          </a>
        </Notice>
      )}
      <button type="submit">{t('customers.register')}</button>
    </form>
  );
}

export function CustomersPage() {
  const { t, me, navigate } = useSession();
  const [search, setSearch] = useState('');
  const [tier, setTier] = useState('');
  const [extra, setExtra] = useState<Customer[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const query = `/customers/?page_size=25${search ? `&search=${encodeURIComponent(search)}` : ''}${tier ? `&tier=${tier}` : ''}`;
  const { data, error, reload } = useAsync(async () => {
    // The total of every page, counted once, with the first (the API counts only when asked).
    const page = await api<Page<Customer>>('GET', `${query}&include_total=true`);
    setExtra([]);
    setCursor(page.meta.has_next ? page.meta.cursor : null);
    return page;
  }, [query]);
  const [moreError, setMoreError] = useState<string | null>(null);
  const loadMore = async () => {
    try {
      const page = await api<Page<Customer>>('GET', `${query}&cursor=${cursor}`);
      setExtra([...extra, ...page.data]);
      setCursor(page.meta.has_next ? page.meta.cursor : null);
    } catch (err) {
      setMoreError(describeError(t, err));
    }
  };
  const rows = [...(data?.data ?? []), ...extra];
  return (
    <section aria-labelledby="customers-title">
      <h1 id="customers-title">{t('nav.customers')}</h1>
      <div class="columns">
        <div>
          <div class="filters" role="search">
            <Field
              label={t('customers.search')}
              value={search}
              onInput={setSearch}
              type="search"
              name="search"
            />
            <Select
              label={t('customers.tier')}
              value={tier}
              onChange={setTier}
              options={[
                { value: '', label: t('customers.allTiers') },
                ...TIER_NAMES.map((n) => ({ value: n, label: tierName(t, n) })),
              ]}
            />
          </div>
          {error && <Notice kind="error">{describeError(t, error)}</Notice>}
          {!data && !error && <p>{t('loading')}</p>}
          {data && rows.length === 0 && <p>{t('customers.empty')}</p>}
          {rows.length > 0 && (
            <div class="table-wrap">
              <p class="muted" data-testid="customers-total">
                {t.plural('customers.total', data?.meta.total ?? rows.length)}
              </p>
              <table class="cards">
                <thead>
                  <tr>
                    <th scope="col">{t('customers.name')}</th>
                    <th scope="col">{t('customers.phone')}</th>
                    <th scope="col">{t('customers.tier')}</th>
                    <th scope="col">{t('customers.points')}</th>
                  </tr>
                </thead>
                <tbody>
                  {rows.map((c) => (
                    <tr key={c.member_id}>
                      <td data-label={t('customers.name')}>
                        <span>
                          <a
                            href={adminPath(`/customers/${c.member_id}`)}
                            onClick={(e) => {
                              e.preventDefault();
                              navigate(`/customers/${c.member_id}`);
                            }}
                          >
                            {c.name}
                          </a>
                          <span class="muted"> {c.member_id}</span>
                        </span>
                      </td>
                      <td data-label={t('customers.phone')}>{formatPhone(c.whatsapp)}</td>
                      <td data-label={t('customers.tier')}>
                        <span class={`tier tier-${c.tier}`}>{tierName(t, c.tier)}</span>
                      </td>
                      <td data-label={t('customers.points')}>{formatInt(c.points_balance, t.language)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
          {moreError && <Notice kind="error">{moreError}</Notice>}
          {cursor && (
            <button type="button" class="secondary" onClick={() => void loadMore()}>
              {t('customers.more')}
            </button>
          )}
        </div>
        {!me.read_only && <RegisterForm onRegistered={reload} />}
      </div>
    </section>
  );
}
