import { useState } from 'preact/hooks';
import { api, ApiError, type ConsentState, type Customer } from '../api.js';
import { fieldError } from '../api-messages.js';
import { ConfirmDialog } from '../components/confirm-dialog.js';
import { Field, Notice } from '../components/field.js';
import { describeError } from '../components/use-async.js';
import { useSession } from '../context.js';
import { formatDateTime, formatPhone } from '../format.js';
import type { MessageKey } from '../i18n.js';

/** `changed_fields` of the API in the panel's words. */
const FIELD_LABELS: Readonly<Record<string, MessageKey>> = {
  whatsapp: 'customers.phone',
  email: 'customers.email',
  name: 'customers.name',
  cpf: 'customers.cpf',
  marketing_opt_in: 'data.consent',
};

const asApiError = (err: unknown) =>
  err instanceof ApiError ? err : new ApiError(0, 'Error', String(err), []);

/** Correcting a customer's data and consent (PATCH /customers/{member_id}/, recorded as via the panel). */
/**
 * `saved` is kept by the profile, not here: a save reloads the customer, and the form is built anew
 * from the new values (its key is `updated_at`), which would drop a message of its own.
 */
export function CustomerEditForm({
  customer,
  onDone,
  saved,
}: {
  customer: Customer;
  /** The saved message after a save (the profile reloads), null when a new save starts. */
  onDone: (message: string | null) => void;
  saved: string | null;
}) {
  const { t } = useSession();
  const [name, setName] = useState(customer.name);
  const [phone, setPhone] = useState(formatPhone(customer.whatsapp));
  const [email, setEmail] = useState(customer.email ?? '');
  const [cpf, setCpf] = useState(customer.cpf ?? '');
  const [whatsappOptIn, setWhatsappOptIn] = useState(customer.marketing_opt_in.whatsapp.opted_in);
  const [emailOptIn, setEmailOptIn] = useState(customer.marketing_opt_in.email.opted_in);
  const [error, setError] = useState<ApiError | null>(null);
  const submit = async (e: Event) => {
    e.preventDefault();
    setError(null);
    onDone(null);
    try {
      const result = await api<{ changed_fields: string[] }>('PATCH', `/customers/${customer.member_id}/`, {
        name,
        phone,
        email,
        cpf,
        marketing_opt_in: { whatsapp: whatsappOptIn, email: emailOptIn },
        channel: 'panel',
      });
      onDone(
        result.changed_fields.length > 0
          ? t('data.saved', result.changed_fields.map((f) => t(FIELD_LABELS[f] ?? 'data.edit')).join(', '))
          : t('data.unchanged'),
      );
    } catch (err) {
      setError(asApiError(err));
    }
  };
  const consentLine = (state: ConsentState) =>
    state.changed_at === null || state.channel === null
      ? t('data.consentNever')
      : t(
          'data.consentState',
          state.opted_in ? t('data.consentYes') : t('data.consentNo'),
          formatDateTime(state.changed_at),
          state.channel,
        );
  return (
    <form class="card" onSubmit={(e) => void submit(e)} aria-label={t('data.edit')} noValidate>
      <h2>{t('data.edit')}</h2>
      <Field
        label={t('customers.name')}
        value={name}
        onInput={setName}
        error={fieldError(t, error, 'name')}
        name="name"
      />
      <Field
        label={t('customers.phone')}
        value={phone}
        onInput={setPhone}
        error={fieldError(t, error, 'phone')}
        name="phone"
      />
      <Field
        label={t('customers.email')}
        value={email}
        onInput={setEmail}
        error={fieldError(t, error, 'email')}
        name="email"
      />
      <Field
        label={t('customers.cpf')}
        value={cpf}
        onInput={setCpf}
        error={fieldError(t, error, 'cpf')}
        name="cpf"
      />
      <div class="field">
        <label>
          <input
            type="checkbox"
            checked={whatsappOptIn}
            onChange={(e) => setWhatsappOptIn(e.currentTarget.checked)}
          />{' '}
          {t('data.consentWhatsapp')}
        </label>
        <p class="hint" data-testid="consent-whatsapp">
          {consentLine(customer.marketing_opt_in.whatsapp)}
        </p>
        <label>
          <input
            type="checkbox"
            checked={emailOptIn}
            onChange={(e) => setEmailOptIn(e.currentTarget.checked)}
          />{' '}
          {t('data.consentEmail')}
        </label>
        <p class="hint" data-testid="consent-email">
          {consentLine(customer.marketing_opt_in.email)}
        </p>
      </div>
      {error && error.fieldErrors.length === 0 && <Notice kind="error">{describeError(t, error)}</Notice>}
      {saved && <Notice kind="ok">{saved}</Notice>}
      <button type="submit">{t('save')}</button>
    </form>
  );
}

/** Export (a JSON download) and erasure (the operator types the member id) of a customer's data. */
export function CustomerPrivacy({ memberId, onErased }: { memberId: string; onErased: () => void }) {
  const { t } = useSession();
  const [asking, setAsking] = useState(false);
  const [typed, setTyped] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const download = async () => {
    setError(null);
    try {
      const document_ = await api<unknown>('GET', `/customers/${memberId}/export/`);
      const url = URL.createObjectURL(
        new Blob([JSON.stringify(document_, null, 2)], { type: 'application/json' }),
      );
      const link = document.createElement('a');
      link.href = url;
      link.download = `zupy-customer-${memberId}.json`;
      link.click();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
    } catch (err) {
      setError(describeError(t, err));
    }
  };
  const erase = async () => {
    setBusy(true);
    try {
      await api('DELETE', `/customers/${memberId}/`);
      setAsking(false);
      onErased();
    } catch (err) {
      setError(describeError(t, err));
      setBusy(false);
    }
  };
  return (
    <div class="card" role="region" aria-label={t('data.privacy')}>
      <h2>{t('data.privacy')}</h2>
      <button type="button" class="secondary" onClick={() => void download()}>
        {t('data.export')}
      </button>{' '}
      <button type="button" class="danger" onClick={() => setAsking(true)}>
        {t('data.erase')}
      </button>
      {error && <Notice kind="error">{error}</Notice>}
      {asking && (
        <ConfirmDialog
          title={t('data.eraseTitle', memberId)}
          confirmLabel={t('data.erase')}
          danger
          busy={busy}
          disabled={typed.trim().toUpperCase() !== memberId.toUpperCase()}
          onConfirm={() => void erase()}
          onCancel={() => {
            setAsking(false);
            setTyped('');
          }}
        >
          <p>{t('data.eraseBody')}</p>
          <Field label={t('data.eraseType')} value={typed} onInput={setTyped} name="confirm-member-id" />
        </ConfirmDialog>
      )}
    </div>
  );
}
