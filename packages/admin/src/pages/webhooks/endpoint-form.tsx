import { CUSTOMER_EVENT_TYPES, OPERATIONAL_EVENT_TYPES } from '@zupy/webhooks/events';
import { useId, useState } from 'preact/hooks';
import { api, ApiError, type Endpoint, type EndpointOrdering } from '../../api.js';
import { fieldError } from '../../api-messages.js';
import { Field, Notice } from '../../components/field.js';
import { describeError } from '../../components/use-async.js';
import { useSession } from '../../context.js';

function EventGroup(props: {
  legend: string;
  hint: string;
  types: readonly string[];
  value: string[];
  onChange: (events: string[]) => void;
}) {
  const id = useId();
  return (
    <fieldset class="field" aria-describedby={`${id}-hint`}>
      <legend>{props.legend}</legend>
      {props.types.map((type) => (
        <label key={type} class="check" for={`${id}-${type}`}>
          <input
            id={`${id}-${type}`}
            type="checkbox"
            checked={props.value.includes(type)}
            onChange={(e) =>
              props.onChange(
                e.currentTarget.checked ? [...props.value, type] : props.value.filter((v) => v !== type),
              )
            }
          />{' '}
          {type}
        </label>
      ))}
      <p class="hint" id={`${id}-hint`}>
        {props.hint}
      </p>
    </fieldset>
  );
}

/** Customer events (none checked = all of them) and, apart, the operational ones (only when checked). */
function EventCheckboxes({ value, onChange }: { value: string[]; onChange: (events: string[]) => void }) {
  const { t } = useSession();
  return (
    <>
      <EventGroup
        legend={t('webhooks.events')}
        hint={t('webhooks.eventsHint')}
        types={CUSTOMER_EVENT_TYPES}
        value={value}
        onChange={onChange}
      />
      <EventGroup
        legend={t('webhooks.operationalEvents')}
        hint={t('webhooks.operationalHint')}
        types={OPERATIONAL_EVENT_TYPES}
        value={value}
        onChange={onChange}
      />
    </>
  );
}

/** Per-member order (the default) or none, each choice with its one-line consequence. */
function OrderingChoice({
  value,
  onChange,
}: {
  value: EndpointOrdering;
  onChange: (ordering: EndpointOrdering) => void;
}) {
  const { t } = useSession();
  const id = useId();
  const options = [
    ['member', 'ordering.member', 'ordering.memberHint'],
    ['none', 'ordering.none', 'ordering.noneHint'],
  ] as const;
  return (
    <fieldset class="field">
      <legend>{t('ordering.legend')}</legend>
      {options.map(([ordering, label, hint]) => (
        <div key={ordering} class="choice">
          <label class="check" for={`${id}-${ordering}`}>
            <input
              id={`${id}-${ordering}`}
              type="radio"
              name={`${id}-ordering`}
              value={ordering}
              checked={value === ordering}
              aria-describedby={`${id}-${ordering}-hint`}
              onChange={() => onChange(ordering)}
            />{' '}
            {t(label)}
          </label>
          <p class="hint" id={`${id}-${ordering}-hint`}>
            {t(hint)}
          </p>
        </div>
      ))}
    </fieldset>
  );
}

/**
 * The rate limit as typed: empty is none (`null`), `20` or `1.000` (a Brazilian thousands dot) a
 * number; anything else is sent as typed, so the API's 422 names the field.
 */
function parseRateLimit(text: string): number | string | null {
  const trimmed = text.trim();
  if (trimmed === '') return null;
  if (/^\d+$/.test(trimmed) || /^\d{1,3}(\.\d{3})+$/.test(trimmed)) return Number(trimmed.replace(/\./g, ''));
  return trimmed;
}

/**
 * Creates an endpoint, or edits one. `enabled` is sent only when the person ticked or unticked it:
 * Zupy may disable or re-enable the endpoint while the form is open (a failure streak, a probe, the
 * "Reativar" button), and saving a description must not flip it back behind their back.
 * `rate_limit` is sent only when it changed: setting it (even to the same value) restarts the pacing.
 */
export function EndpointForm({
  endpoint,
  onSaved,
}: {
  endpoint?: Endpoint;
  onSaved: (secret?: string) => void;
}) {
  const { t } = useSession();
  const enabledId = useId();
  const [url, setUrl] = useState(endpoint?.url ?? '');
  const [events, setEvents] = useState<string[]>(endpoint?.events ?? []);
  const [description, setDescription] = useState(endpoint?.description ?? '');
  const [ordering, setOrdering] = useState<EndpointOrdering>(endpoint?.ordering ?? 'member');
  const [rateLimit, setRateLimit] = useState(
    endpoint && endpoint.rate_limit !== null ? String(endpoint.rate_limit) : '',
  );
  const [enabledChoice, setEnabledChoice] = useState<boolean | null>(null);
  const enabled = enabledChoice ?? endpoint?.enabled ?? true;
  const [error, setError] = useState<ApiError | null>(null);
  const submit = async (e: Event) => {
    e.preventDefault();
    setError(null);
    const rate = parseRateLimit(rateLimit);
    try {
      if (endpoint) {
        await api('PATCH', `/webhooks/endpoints/${endpoint.id}/`, {
          url,
          events,
          description: description || null,
          ordering,
          ...(rate !== endpoint.rate_limit ? { rate_limit: rate } : {}),
          ...(enabledChoice !== null && enabledChoice !== endpoint.enabled ? { enabled: enabledChoice } : {}),
        });
        setEnabledChoice(null);
        onSaved();
      } else {
        const created = await api<{ secret: string }>('POST', '/webhooks/endpoints/', {
          url,
          events,
          description: description || null,
          ordering,
          ...(rate !== null ? { rate_limit: rate } : {}),
        });
        setUrl('');
        setEvents([]);
        setDescription('');
        setOrdering('member');
        setRateLimit('');
        onSaved(created.secret);
      }
    } catch (err) {
      setError(err instanceof ApiError ? err : new ApiError(0, 'Error', String(err), []));
    }
  };
  return (
    <form
      class="card"
      onSubmit={(e) => void submit(e)}
      aria-label={endpoint ? endpoint.url : t('webhooks.new')}
      noValidate
    >
      {!endpoint && <h2>{t('webhooks.new')}</h2>}
      <Field
        label={t('webhooks.url')}
        value={url}
        onInput={setUrl}
        error={fieldError(t, error, 'url')}
        name="url"
        type="url"
      />
      <EventCheckboxes value={events} onChange={setEvents} />
      <Field
        label={t('webhooks.description')}
        value={description}
        onInput={setDescription}
        name="description"
      />
      <OrderingChoice value={ordering} onChange={setOrdering} />
      <Field
        label={t('webhooks.rateLimitField')}
        hint={t('webhooks.rateLimitHint')}
        value={rateLimit}
        onInput={setRateLimit}
        error={fieldError(t, error, 'rate_limit')}
        name="rate_limit"
        inputMode="numeric"
      />
      {endpoint && (
        <div class="choice">
          <label class="check" for={enabledId}>
            <input
              id={enabledId}
              type="checkbox"
              checked={enabled}
              aria-describedby={`${enabledId}-hint`}
              onChange={(e) => setEnabledChoice(e.currentTarget.checked)}
            />{' '}
            {t('webhooks.enabled')}
          </label>
          <p class="hint" id={`${enabledId}-hint`}>
            {t('webhooks.enabledHint')}
          </p>
        </div>
      )}
      {error && error.fieldErrors.length === 0 && <Notice kind="error">{describeError(t, error)}</Notice>}
      <button type="submit">{endpoint ? t('save') : t('webhooks.create')}</button>
    </form>
  );
}
