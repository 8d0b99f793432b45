import { useState } from 'preact/hooks';
import { COUPON_PLATFORMS } from '@zupy/webhooks/events';
import { api, ApiError, type Coupon, type Page, type Validation } from '../api.js';
import { fieldError } from '../api-messages.js';
import { Field, Notice, Select } from '../components/field.js';
import { describeError } from '../components/use-async.js';
import { useSession } from '../context.js';
import { formatBrl, formatDateTime, parseBrl } from '../format.js';
import { discountText } from './rewards.js';

interface Item {
  name: string;
  quantity: string;
  unit_price: string;
}

/**
 * The cashier's screen, made for a phone (390 px): type or paste the code, see the coupon, enter the
 * order, validate. The member is found from the code (`GET /coupons/issued/?code=`).
 */
export function ValidateCouponPage() {
  const { t, me } = useSession();
  const [code, setCode] = useState('');
  const [coupon, setCoupon] = useState<Coupon | null>(null);
  const [lookupError, setLookupError] = useState<string | null>(null);
  const [orderValue, setOrderValue] = useState('');
  const [platform, setPlatform] = useState<string>('pos');
  const [staff, setStaff] = useState('');
  const [items, setItems] = useState<Item[]>([]);
  const [error, setError] = useState<ApiError | null>(null);
  const [result, setResult] = useState<Validation | null>(null);

  const reset = () => {
    setCode('');
    setCoupon(null);
    setOrderValue('');
    setItems([]);
    setError(null);
    setResult(null);
    setLookupError(null);
  };
  const lookUp = async (e: Event) => {
    e.preventDefault();
    setLookupError(null);
    setCoupon(null);
    setResult(null);
    const wanted = code.trim().toUpperCase();
    try {
      const page = await api<Page<Coupon>>('GET', `/coupons/issued/?code=${encodeURIComponent(wanted)}`);
      const found = page.data[0];
      if (!found) setLookupError(t('validate.notFound'));
      else {
        setCoupon(found);
        if (found.discount_type === 'product_free' || found.discount_type === 'buy_one_get_one')
          setItems([{ name: '', quantity: '1', unit_price: '' }]);
      }
    } catch (err) {
      setLookupError(describeError(t, err));
    }
  };
  const validate = async (e: Event) => {
    e.preventDefault();
    if (!coupon) return;
    setError(null);
    const body: Record<string, unknown> = { order_value: parseBrl(orderValue), platform };
    if (staff.trim()) body.staff_member = staff.trim();
    const filled = items.filter((i) => i.name.trim() !== '');
    if (filled.length > 0) {
      body.items = filled.map((i) => ({
        name: i.name.trim(),
        quantity: Number(i.quantity),
        unit_price: parseBrl(i.unit_price),
      }));
    }
    try {
      setResult(
        await api<Validation>(
          'POST',
          `/customers/${coupon.customer_id}/coupons/${coupon.code}/validate/`,
          body,
        ),
      );
      setCoupon({ ...coupon, status: 'used' });
    } catch (err) {
      setError(err instanceof ApiError ? err : new ApiError(0, 'Error', String(err), []));
    }
  };
  const setItem = (i: number, patch: Partial<Item>) =>
    setItems(items.map((item, j) => (i === j ? { ...item, ...patch } : item)));

  return (
    <section aria-labelledby="validate-title" class="cashier">
      <h1 id="validate-title">{t('validate.title')}</h1>
      <form class="card" onSubmit={(e) => void lookUp(e)} aria-label={t('validate.find')} noValidate>
        <Field
          label={t('coupons.code')}
          value={code}
          onInput={setCode}
          hint={t('validate.codeHint')}
          name="code"
        />
        {lookupError && <Notice kind="error">{lookupError}</Notice>}
        <button type="submit">{t('validate.find')}</button>
      </form>
      {coupon && (
        <div class="card" data-testid="coupon">
          <h2>
            {coupon.code} <span class={`status status-${coupon.status}`}>{t(`coupon.${coupon.status}`)}</span>
          </h2>
          <dl class="profile">
            <dt>{t('redeem.reward')}</dt>
            <dd>{coupon.reward_name}</dd>
            <dt>{t('rewards.type')}</dt>
            <dd>{discountText(t, coupon)}</dd>
            <dt>{t('validate.member')}</dt>
            <dd>{coupon.customer_id}</dd>
            <dt>{t('coupons.validUntil')}</dt>
            <dd>{formatDateTime(coupon.valid_until)}</dd>
          </dl>
          {coupon.minimum_purchase !== null && (
            <p>{t('validate.minimum', formatBrl(coupon.minimum_purchase))}</p>
          )}
        </div>
      )}
      {coupon && coupon.status === 'active' && !result && !me.read_only && (
        <form class="card" onSubmit={(e) => void validate(e)} aria-label={t('validate.submit')} noValidate>
          <Field
            label={t('validate.orderValue')}
            value={orderValue}
            onInput={setOrderValue}
            inputMode="decimal"
            error={fieldError(t, error, 'order_value')}
            name="orderValue"
          />
          <Select
            label={t('validate.platform')}
            value={platform}
            onChange={setPlatform}
            options={COUPON_PLATFORMS.map((p) => ({ value: p, label: p }))}
          />
          <Field label={t('validate.staff')} value={staff} onInput={setStaff} name="staff" />
          {items.length > 0 && (
            <fieldset class="field">
              <legend>{t('validate.items')}</legend>
              {items.map((item, i) => (
                <div class="item-row" key={i}>
                  <Field
                    label={`${t('validate.itemName')} ${i + 1}`}
                    value={item.name}
                    onInput={(v) => setItem(i, { name: v })}
                    error={fieldError(t, error, `items[${i}].name`)}
                  />
                  <Field
                    label={t('validate.quantity')}
                    value={item.quantity}
                    onInput={(v) => setItem(i, { quantity: v })}
                    inputMode="numeric"
                    error={fieldError(t, error, `items[${i}].quantity`)}
                  />
                  <Field
                    label={t('validate.unitPrice')}
                    value={item.unit_price}
                    onInput={(v) => setItem(i, { unit_price: v })}
                    inputMode="decimal"
                    error={fieldError(t, error, `items[${i}].unit_price`)}
                  />
                </div>
              ))}
              <button
                type="button"
                class="secondary"
                onClick={() => setItems([...items, { name: '', quantity: '1', unit_price: '' }])}
              >
                {t('validate.addItem')}
              </button>
            </fieldset>
          )}
          {error && !error.forField('order_value') && <Notice kind="error">{describeError(t, error)}</Notice>}
          <button type="submit">{t('validate.submit')}</button>
        </form>
      )}
      {result && (
        <div class="card">
          <Notice kind="ok">
            <span data-testid="validation-result">
              {t('validate.done', formatBrl(result.discount_applied), formatBrl(result.final_value))}
            </span>
          </Notice>
          <button type="button" onClick={reset}>
            {t('validate.next')}
          </button>
        </div>
      )}
    </section>
  );
}
