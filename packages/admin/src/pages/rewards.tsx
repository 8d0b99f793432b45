import { useState } from 'preact/hooks';
import { DISCOUNT_TYPES, type DiscountType } from '@zupy/webhooks/events';
import { api, ApiError, type Page, type Reward } from '../api.js';
import { fieldError } from '../api-messages.js';
import { Field, Notice, Select } from '../components/field.js';
import { describeError, useAsync } from '../components/use-async.js';
import { useSession } from '../context.js';
import { formatBrl, parseBrl } from '../format.js';

/** The form's text for each field: what the user typed, sent as the API's numbers. */
interface Draft {
  name: string;
  description: string;
  points_required: string;
  discount_type: DiscountType;
  discount_value: string;
  maximum_discount: string;
  minimum_purchase: string;
  validity_days: string;
  terms: string;
  stock: string;
}

const EMPTY: Draft = {
  name: '',
  description: '',
  points_required: '',
  discount_type: 'percentage',
  discount_value: '',
  maximum_discount: '',
  minimum_purchase: '',
  validity_days: '30',
  terms: '',
  stock: '',
};

const money = (v: number | null) => (v === null ? '' : String(v).replace('.', ','));

function draftOf(r: Reward): Draft {
  return {
    name: r.name,
    description: r.description ?? '',
    points_required: String(r.points_required),
    discount_type: r.discount_type,
    discount_value: money(r.discount_value),
    maximum_discount: money(r.maximum_discount),
    minimum_purchase: money(r.minimum_purchase),
    validity_days: String(r.validity_days),
    terms: r.terms ?? '',
    stock: r.stock === null ? '' : String(r.stock),
  };
}

const itemBased = (type: DiscountType) => type === 'product_free' || type === 'buy_one_get_one';

function bodyOf(d: Draft): Record<string, unknown> {
  const optionalMoney = (text: string) => (text.trim() === '' ? null : parseBrl(text));
  return {
    name: d.name.trim(),
    description: d.description.trim() || null,
    points_required: Number(d.points_required),
    discount_type: d.discount_type,
    discount_value: itemBased(d.discount_type) ? 0 : parseBrl(d.discount_value),
    ...(d.discount_type === 'fixed_amount' ? {} : { maximum_discount: optionalMoney(d.maximum_discount) }),
    minimum_purchase: optionalMoney(d.minimum_purchase),
    validity_days: Number(d.validity_days),
    terms: d.terms.trim() || null,
    stock: d.stock.trim() === '' ? null : Number(d.stock),
  };
}

/** What a reward takes off, in words: `10% (até R$ 15,00)`, `R$ 5,00`, `Produto grátis`. */
export function discountText(
  t: ReturnType<typeof useSession>['t'],
  r: Pick<Reward, 'discount_type' | 'discount_value' | 'maximum_discount'>,
): string {
  const cap = r.maximum_discount === null ? '' : ` (≤ ${formatBrl(r.maximum_discount)})`;
  switch (r.discount_type) {
    case 'percentage':
      return `${String(r.discount_value).replace('.', ',')}%${cap}`;
    case 'fixed_amount':
      return formatBrl(r.discount_value);
    case 'product_free':
    case 'buy_one_get_one':
      return t(`discount.${r.discount_type}`) + cap;
  }
}

function RewardForm({ reward, onDone }: { reward: Reward | null; onDone: () => void }) {
  const { t } = useSession();
  const [draft, setDraft] = useState<Draft>(reward ? draftOf(reward) : EMPTY);
  const [error, setError] = useState<ApiError | null>(null);
  const [saved, setSaved] = useState(false);
  const set = (patch: Partial<Draft>) => setDraft({ ...draft, ...patch });
  const title = reward ? t('rewards.edit') : t('rewards.new');
  const submit = async (e: Event) => {
    e.preventDefault();
    setError(null);
    setSaved(false);
    try {
      if (reward) await api('PATCH', `/rewards/${reward.id}/`, bodyOf(draft));
      else await api('POST', '/rewards/', bodyOf(draft));
      setSaved(true);
      if (!reward) setDraft(EMPTY);
      onDone();
    } catch (err) {
      setError(err instanceof ApiError ? err : new ApiError(0, 'Error', String(err), []));
    }
  };
  const err = (field: string) => fieldError(t, error, field);
  return (
    <form class="card" onSubmit={(e) => void submit(e)} aria-label={title} noValidate>
      <h2>{title}</h2>
      <Field
        label={t('rewards.name')}
        value={draft.name}
        onInput={(v) => set({ name: v })}
        error={err('name')}
      />
      <Field
        label={t('rewards.description')}
        value={draft.description}
        onInput={(v) => set({ description: v })}
        error={err('description')}
      />
      <Field
        label={t('rewards.points')}
        value={draft.points_required}
        onInput={(v) => set({ points_required: v })}
        inputMode="numeric"
        error={err('points_required')}
      />
      <Select
        label={t('rewards.type')}
        value={draft.discount_type}
        onChange={(v) => set({ discount_type: v as DiscountType })}
        options={DISCOUNT_TYPES.map((d) => ({ value: d, label: t(`discount.${d}`) }))}
        error={err('discount_type')}
      />
      {!itemBased(draft.discount_type) && (
        <Field
          label={t('rewards.value')}
          value={draft.discount_value}
          onInput={(v) => set({ discount_value: v })}
          inputMode="decimal"
          error={err('discount_value')}
        />
      )}
      {draft.discount_type !== 'fixed_amount' && (
        <Field
          label={t('rewards.maximum')}
          value={draft.maximum_discount}
          onInput={(v) => set({ maximum_discount: v })}
          inputMode="decimal"
          error={err('maximum_discount')}
        />
      )}
      <Field
        label={t('rewards.minimum')}
        value={draft.minimum_purchase}
        onInput={(v) => set({ minimum_purchase: v })}
        inputMode="decimal"
        error={err('minimum_purchase')}
      />
      <Field
        label={t('rewards.validity')}
        value={draft.validity_days}
        onInput={(v) => set({ validity_days: v })}
        inputMode="numeric"
        error={err('validity_days')}
      />
      <Field
        label={t('rewards.terms')}
        value={draft.terms}
        onInput={(v) => set({ terms: v })}
        error={err('terms')}
      />
      <Field
        label={t('rewards.stock')}
        value={draft.stock}
        onInput={(v) => set({ stock: v })}
        inputMode="numeric"
        error={err('stock')}
      />
      {error && error.fieldErrors.length === 0 && <Notice kind="error">{describeError(t, error)}</Notice>}
      {saved && <Notice kind="ok">{t('rewards.saved')}</Notice>}
      <button type="submit">{reward ? t('save') : t('rewards.create')}</button>
      {reward && (
        <button type="button" class="secondary" onClick={onDone}>
          {t('cancel')}
        </button>
      )}
    </form>
  );
}

export function RewardsPage() {
  const { t, me } = useSession();
  const list = useAsync(() => api<Page<Reward>>('GET', '/rewards/?page_size=100'), []);
  const [editing, setEditing] = useState<Reward | null>(null);
  const [actionError, setActionError] = useState<string | null>(null);
  const setActive = async (r: Reward, active: boolean) => {
    setActionError(null);
    try {
      await api('PATCH', `/rewards/${r.id}/`, { active });
      list.reload();
    } catch (err) {
      setActionError(describeError(t, err));
    }
  };
  return (
    <section aria-labelledby="rewards-title">
      <h1 id="rewards-title">{t('nav.rewards')}</h1>
      {list.error && <Notice kind="error">{describeError(t, list.error)}</Notice>}
      {actionError && <Notice kind="error">{actionError}</Notice>}
      {list.data && list.data.data.length === 0 && <p>{t('rewards.empty')}</p>}
      {list.data && list.data.data.length > 0 && (
        <div class="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">{t('rewards.name')}</th>
                <th scope="col">{t('rewards.points')}</th>
                <th scope="col">{t('rewards.type')}</th>
                <th scope="col">{t('rewards.stock')}</th>
                <th scope="col">{t('rewards.status')}</th>
                {!me.read_only && <th scope="col"></th>}
              </tr>
            </thead>
            <tbody>
              {list.data.data.map((r) => (
                <tr key={r.id} aria-label={r.name}>
                  <td>{r.name}</td>
                  <td>{r.points_required}</td>
                  <td>{discountText(t, r)}</td>
                  <td>{r.stock ?? t('rewards.unlimited')}</td>
                  <td>{r.active ? t('rewards.active') : t('rewards.archived')}</td>
                  {!me.read_only && (
                    <td>
                      <button type="button" class="secondary" onClick={() => setEditing(r)}>
                        {t('rewards.edit')}
                      </button>{' '}
                      <button type="button" class="secondary" onClick={() => void setActive(r, !r.active)}>
                        {r.active ? t('rewards.archive') : t('rewards.unarchive')}
                      </button>
                    </td>
                  )}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {!me.read_only && (
        <RewardForm
          key={editing?.id ?? 'new'}
          reward={editing}
          onDone={() => {
            setEditing(null);
            list.reload();
          }}
        />
      )}
    </section>
  );
}
