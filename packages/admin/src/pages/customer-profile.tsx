import { useState } from 'preact/hooks';
import {
  api,
  apiWithStatus,
  ApiError,
  type Coupon,
  type Customer,
  type LedgerEntry,
  type Page,
  type Program,
  type Redemption,
  type Reward,
} from '../api.js';
import { formatBrl, formatDateTime, formatInt, formatPhone } from '../format.js';
import { tierName } from '../i18n.js';
import { discountText } from './rewards.js';
import { fieldError } from '../api-messages.js';
import { Field, Notice, Select } from '../components/field.js';
import { describeError, useAsync } from '../components/use-async.js';
import { useSession } from '../context.js';
import { CustomerEditForm, CustomerPrivacy } from './customer-data.js';

function PointsForm({
  memberId,
  operation,
  onDone,
}: {
  memberId: string;
  operation: 'add' | 'spend';
  onDone: () => void;
}) {
  const { t } = useSession();
  const [amount, setAmount] = useState('');
  const [reason, setReason] = useState('');
  const [orderValue, setOrderValue] = useState('');
  const [error, setError] = useState<ApiError | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  const submit = async (e: Event) => {
    e.preventDefault();
    setError(null);
    setMessage(null);
    const body: Record<string, unknown> = { amount: Number(amount) };
    if (reason) body.reason = reason;
    if (operation === 'add' && orderValue) body.order_value = Number(orderValue.replace(',', '.'));
    try {
      const result = await api<{ balance_after: number }>(
        'POST',
        `/customers/${memberId}/points/${operation}/`,
        body,
      );
      setMessage(t('profile.done', formatInt(result.balance_after, t.language)));
      setAmount('');
      setReason('');
      setOrderValue('');
      onDone();
    } catch (err) {
      setError(err instanceof ApiError ? err : new ApiError(0, 'Error', String(err), []));
    }
  };
  const title = operation === 'add' ? t('profile.add') : t('profile.spend');
  return (
    <form class="card" onSubmit={(e) => void submit(e)} aria-label={title} noValidate>
      <h2>{title}</h2>
      <Field
        label={t('profile.amount')}
        value={amount}
        onInput={setAmount}
        inputMode="numeric"
        error={fieldError(t, error, 'amount')}
        name="amount"
      />
      <Field
        label={t('profile.reason')}
        value={reason}
        onInput={setReason}
        error={fieldError(t, error, 'reason')}
        name="reason"
      />
      {operation === 'add' && (
        <Field
          label={t('profile.orderValue')}
          value={orderValue}
          onInput={setOrderValue}
          inputMode="decimal"
          error={fieldError(t, error, 'order_value')}
          name="orderValue"
        />
      )}
      {error && (error.fieldErrors.length === 0 || !error.forField('amount')) && (
        <Notice kind="error">{describeError(t, error)}</Notice>
      )}
      {message && <Notice kind="ok">{message}</Notice>}
      <button type="submit">{title}</button>
    </form>
  );
}

const PLATFORMS = ['pos', 'manual', 'goomer', 'ifood', 'repediu', 'saipos'] as const;
const LEDGER_OPERATIONS = ['welcome', 'add', 'order', 'spend', 'redeem', 'refund', 'expire'] as const;

/** "1.234,56", "89,90" or "89.90" → 89.9 for the API; anything else is sent as typed (the API names it). */
export function brlInput(text: string): number | string {
  const t = text.trim().replace(/^R\$\s*/i, '');
  if (/^\d{1,3}(\.\d{3})+(,\d{1,2})?$|^\d+(,\d{1,2})?$/.test(t))
    return Number(t.replace(/\./g, '').replace(',', '.'));
  if (/^\d+\.\d{1,2}$/.test(t)) return Number(t);
  return text;
}

interface OrderResult {
  points_earned: number;
  base_points: number;
  bonus_points: number;
  new_balance: number;
  tier: string;
  tier_upgraded: boolean;
}

/** What a cashier types at the counter: the order number and its value; points by the program's rules. */
function OrderForm({ memberId, onDone }: { memberId: string; onDone: () => void }) {
  const { t } = useSession();
  const [orderId, setOrderId] = useState('');
  const [value, setValue] = useState('');
  const [platform, setPlatform] = useState<string>('pos');
  const [payment, setPayment] = useState('');
  const [error, setError] = useState<ApiError | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  const submit = async (e: Event) => {
    e.preventDefault();
    setError(null);
    setMessage(null);
    const body: Record<string, unknown> = { order_id: orderId, order_value: brlInput(value), platform };
    if (payment.trim()) body.payment_method = payment.trim();
    try {
      const { status, body: r } = await apiWithStatus<OrderResult>(
        'POST',
        `/customers/${memberId}/orders/`,
        body,
      );
      setMessage(
        status === 200
          ? t('order.again')
          : [
              t(
                'order.done',
                ...[r.points_earned, r.base_points, r.bonus_points, r.new_balance].map((n) =>
                  formatInt(n, t.language),
                ),
              ),
              r.tier_upgraded ? t('order.upgraded', tierName(t, r.tier)) : '',
            ]
              .join(' ')
              .trim(),
      );
      setOrderId('');
      setValue('');
      onDone();
    } catch (err) {
      setError(err instanceof ApiError ? err : new ApiError(0, 'Error', String(err), []));
    }
  };
  const known = ['order_id', 'order_value', 'platform', 'payment_method'];
  return (
    <form class="card" onSubmit={(e) => void submit(e)} aria-label={t('order.title')} noValidate>
      <h2>{t('order.title')}</h2>
      <Field
        label={t('order.id')}
        value={orderId}
        onInput={setOrderId}
        error={fieldError(t, error, 'order_id')}
        name="order_id"
      />
      <Field
        label={t('order.value')}
        value={value}
        onInput={setValue}
        inputMode="decimal"
        error={fieldError(t, error, 'order_value')}
        name="order_value"
      />
      <Select
        label={t('order.platform')}
        value={platform}
        onChange={setPlatform}
        options={PLATFORMS.map((p) => ({ value: p, label: t(`platform.${p}`) }))}
        name="platform"
      />
      <Field
        label={t('order.payment')}
        value={payment}
        onInput={setPayment}
        error={fieldError(t, error, 'payment_method')}
        name="payment_method"
      />
      {error && !error.fieldErrors.some((f) => known.includes(f.field)) && (
        <Notice kind="error">{describeError(t, error)}</Notice>
      )}
      {message && <Notice kind="ok">{message}</Notice>}
      <button type="submit">{t('order.title')}</button>
    </form>
  );
}

function TierForm({
  customer,
  program,
  onDone,
}: {
  customer: Customer;
  program: Program;
  onDone: () => void;
}) {
  const { t } = useSession();
  const [tier, setTier] = useState(customer.tier);
  const [result, setResult] = useState<{ ok: boolean; text: string } | null>(null);
  const submit = async (e: Event) => {
    e.preventDefault();
    try {
      await api('PUT', `/customers/${customer.member_id}/tier/`, { tier });
      setResult({ ok: true, text: t('profile.tierChanged') });
      onDone();
    } catch (err) {
      setResult({ ok: false, text: describeError(t, err) });
    }
  };
  return (
    <form class="card" onSubmit={(e) => void submit(e)} aria-label={t('profile.changeTier')}>
      <h2>{t('profile.changeTier')}</h2>
      <Select
        label={t('customers.tier')}
        value={tier}
        onChange={setTier}
        options={program.tiers.map((x) => ({ value: x.name, label: tierName(t, x.name) }))}
      />
      {result && <Notice kind={result.ok ? 'ok' : 'error'}>{result.text}</Notice>}
      <button type="submit">{t('save')}</button>
    </form>
  );
}

/** Spends the member's points on a reward they can afford now; shows the coupon's code. */
function RedeemForm({
  memberId,
  balance,
  onDone,
}: {
  memberId: string;
  balance: number;
  onDone: () => void;
}) {
  const { t } = useSession();
  const rewards = useAsync(
    () => api<Page<Reward>>('GET', `/rewards/?customer_id=${memberId}&redeemable=true&page_size=100`),
    [memberId, balance],
  );
  const [chosen, setChosen] = useState('');
  const [result, setResult] = useState<{ ok: boolean; text: string } | null>(null);
  const options = rewards.data?.data ?? [];
  const rewardId = chosen || options[0]?.id || '';
  const submit = async (e: Event) => {
    e.preventDefault();
    setResult(null);
    try {
      const done = await api<Redemption>('POST', `/customers/${memberId}/rewards/${rewardId}/redeem/`, {
        redemption_method: 'manual',
      });
      setResult({ ok: true, text: t('redeem.done', done.coupon_code, formatDateTime(done.valid_until)) });
      setChosen('');
      onDone();
    } catch (err) {
      setResult({ ok: false, text: describeError(t, err) });
    }
  };
  return (
    <form class="card" onSubmit={(e) => void submit(e)} aria-label={t('redeem.title')}>
      <h2>{t('redeem.title')}</h2>
      {options.length === 0 ? (
        <p>{t('redeem.none')}</p>
      ) : (
        <Select
          label={t('redeem.reward')}
          value={rewardId}
          onChange={setChosen}
          options={options.map((r) => ({
            value: r.id,
            label: `${r.name} — ${r.points_required} ${t('customers.points').toLowerCase()} (${discountText(t, r)})`,
          }))}
        />
      )}
      {result && (
        <Notice kind={result.ok ? 'ok' : 'error'}>
          <span data-testid="redeem-result">{result.text}</span>
        </Notice>
      )}
      {options.length > 0 && <button type="submit">{t('redeem.submit')}</button>}
    </form>
  );
}

export function CustomerProfilePage({ memberId }: { memberId: string }) {
  const { t, me } = useSession();
  const customer = useAsync(() => api<Customer>('GET', `/customers/${memberId}/`), [memberId]);
  const history = useAsync(
    () => api<Page<LedgerEntry>>('GET', `/customers/${memberId}/points/history/?page_size=50`),
    [memberId],
  );
  const program = useAsync(() => api<Program>('GET', '/loyalty/program/'), []);
  const coupons = useAsync(
    () => api<Page<Coupon>>('GET', `/customers/${memberId}/coupons/?page_size=50`),
    [memberId],
  );
  const [erased, setErased] = useState(false);
  const [saved, setSaved] = useState<string | null>(null);
  const reload = () => {
    customer.reload();
    history.reload();
    coupons.reload();
  };
  if (erased) return <Notice kind="ok">{t('data.erased', memberId)}</Notice>;
  if (customer.error) return <Notice kind="error">{describeError(t, customer.error)}</Notice>;
  const c = customer.data;
  if (!c) return <p>{t('loading')}</p>;
  return (
    <section aria-labelledby="profile-title">
      <h1 id="profile-title">
        {c.name} <span class={`tier tier-${c.tier}`}>{tierName(t, c.tier)}</span>
      </h1>
      <dl class="profile">
        <dt>{t('profile.member')}</dt>
        <dd>{c.member_id}</dd>
        <dt>{t('customers.phone')}</dt>
        <dd>{formatPhone(c.whatsapp)}</dd>
        <dt>{t('customers.email')}</dt>
        <dd>{c.email ?? '—'}</dd>
        <dt>{t('customers.cpf')}</dt>
        <dd>{c.cpf ?? '—'}</dd>
        <dt>{t('customers.points')}</dt>
        <dd data-testid="balance">{formatInt(c.points_balance, t.language)}</dd>
        <dt>{t('metric.total_spent')}</dt>
        <dd>{formatBrl(c.total_spent)}</dd>
        <dt>{t('metric.transaction_count')}</dt>
        <dd>{c.transaction_count}</dd>
      </dl>
      {!me.read_only && (
        <div class="grid">
          <OrderForm memberId={c.member_id} onDone={reload} />
          <PointsForm memberId={c.member_id} operation="add" onDone={reload} />
          <PointsForm memberId={c.member_id} operation="spend" onDone={reload} />
          {program.data?.tiers_enabled && <TierForm customer={c} program={program.data} onDone={reload} />}
          <RedeemForm memberId={c.member_id} balance={c.points_balance} onDone={reload} />
          <CustomerEditForm
            key={c.updated_at}
            customer={c}
            saved={saved}
            onDone={(message) => {
              setSaved(message);
              if (message !== null) reload();
            }}
          />
          <CustomerPrivacy memberId={c.member_id} onErased={() => setErased(true)} />
        </div>
      )}
      <h2>{t('coupons.title')}</h2>
      {coupons.error && <Notice kind="error">{describeError(t, coupons.error)}</Notice>}
      {coupons.data && coupons.data.data.length === 0 && <p>{t('coupons.empty')}</p>}
      {coupons.data && coupons.data.data.length > 0 && (
        <div class="table-wrap">
          <table aria-label={t('coupons.title')}>
            <thead>
              <tr>
                <th scope="col">{t('coupons.code')}</th>
                <th scope="col">{t('redeem.reward')}</th>
                <th scope="col">{t('rewards.status')}</th>
                <th scope="col">{t('coupons.validUntil')}</th>
              </tr>
            </thead>
            <tbody>
              {coupons.data.data.map((cp) => (
                <tr key={cp.code}>
                  <td>{cp.code}</td>
                  <td>{cp.reward_name}</td>
                  <td>{t(`coupon.${cp.status}`)}</td>
                  <td>{formatDateTime(cp.valid_until)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <h2>{t('profile.history')}</h2>
      {history.error && <Notice kind="error">{describeError(t, history.error)}</Notice>}
      {history.data && (
        <div class="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">{t('deliveries.created')}</th>
                <th scope="col">{t('deliveries.event')}</th>
                <th scope="col">{t('profile.amount')}</th>
                <th scope="col">{t('customers.points')}</th>
                <th scope="col">{t('profile.reason')}</th>
              </tr>
            </thead>
            <tbody>
              {history.data.data.map((e) => (
                <tr key={e.id}>
                  <td>{formatDateTime(e.created_at)}</td>
                  <td data-operation={e.operation}>
                    {(LEDGER_OPERATIONS as readonly string[]).includes(e.operation)
                      ? t(`ledger.${e.operation as (typeof LEDGER_OPERATIONS)[number]}`)
                      : e.operation}
                  </td>
                  {/* Debit or credit by the balance's change, whatever the operation is called. */}
                  <td>{formatInt(e.balance_after < e.balance_before ? -e.amount : e.amount, t.language)}</td>
                  <td>{formatInt(e.balance_after, t.language)}</td>
                  <td>{e.reason === 'welcome reward' ? t('ledger.welcomeReward') : (e.reason ?? '')}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
