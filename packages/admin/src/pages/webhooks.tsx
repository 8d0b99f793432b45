import { useId, useState } from 'preact/hooks';
import {
  api,
  ApiError,
  CUSTOMER_EVENT_TYPES,
  OPERATIONAL_EVENT_TYPES,
  type Endpoint,
  type TestSend,
} from '../api.js';
import { Field, Notice, Select } from '../components/field.js';
import { describeError, useAsync } from '../components/use-async.js';
import { adminPath, useSession } from '../context.js';

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

function EndpointForm({ endpoint, onSaved }: { endpoint?: Endpoint; onSaved: (secret?: string) => void }) {
  const { t } = useSession();
  const [url, setUrl] = useState(endpoint?.url ?? '');
  const [events, setEvents] = useState<string[]>(endpoint?.events ?? []);
  const [description, setDescription] = useState(endpoint?.description ?? '');
  const [enabled, setEnabled] = useState(endpoint?.enabled ?? true);
  const [error, setError] = useState<ApiError | null>(null);
  const submit = async (e: Event) => {
    e.preventDefault();
    setError(null);
    try {
      if (endpoint) {
        await api('PATCH', `/webhooks/endpoints/${endpoint.id}/`, {
          url,
          events,
          description: description || null,
          enabled,
        });
        onSaved();
      } else {
        const created = await api<{ secret: string }>('POST', '/webhooks/endpoints/', {
          url,
          events,
          description: description || null,
        });
        setUrl('');
        setEvents([]);
        setDescription('');
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
        error={error?.forField('url')}
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
      {endpoint && (
        <label class="check">
          <input type="checkbox" checked={enabled} onChange={(e) => setEnabled(e.currentTarget.checked)} />{' '}
          {t('webhooks.enabled')}
        </label>
      )}
      {error && error.fieldErrors.length === 0 && <Notice kind="error">{describeError(error)}</Notice>}
      <button type="submit">{endpoint ? t('save') : t('webhooks.create')}</button>
    </form>
  );
}

function TestSender({ endpoint }: { endpoint: Endpoint }) {
  const { t } = useSession();
  const [type, setType] = useState<string>(CUSTOMER_EVENT_TYPES[0]);
  const [result, setResult] = useState<TestSend | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const send = async () => {
    setBusy(true);
    setError(null);
    try {
      setResult(await api<TestSend>('POST', `/webhooks/endpoints/${endpoint.id}/test/`, { event: type }));
    } catch (err) {
      setError(describeError(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <div class="test-sender">
      <h3>{t('webhooks.test')}</h3>
      <Select
        label={t('webhooks.eventType')}
        value={type}
        onChange={setType}
        options={[
          ...CUSTOMER_EVENT_TYPES.map((v) => ({ value: v, label: v, group: t('webhooks.events') })),
          ...OPERATIONAL_EVENT_TYPES.map((v) => ({
            value: v,
            label: v,
            group: t('webhooks.operationalEvents'),
          })),
        ]}
      />
      <button type="button" onClick={() => void send()} disabled={busy}>
        {t('webhooks.send')}
      </button>
      {error && <Notice kind="error">{error}</Notice>}
      {result && (
        <div class="exchange" data-testid="test-result">
          <Notice kind={result.success ? 'ok' : 'error'}>
            {result.status_code ?? '—'} {result.error ?? 'OK'} ({result.response.duration_ms} ms)
          </Notice>
          <h4>{t('webhooks.request')}</h4>
          <pre>
            {`POST ${result.request.url}\n` +
              Object.entries(result.request.headers)
                .map(([k, v]) => `${k}: ${v}`)
                .join('\n') +
              `\n\n${JSON.stringify(JSON.parse(result.request.body), null, 2)}`}
          </pre>
          <h4>{t('webhooks.response')}</h4>
          <pre>{`${result.response.status ?? '—'}\n\n${result.response.body ?? result.error ?? ''}`}</pre>
        </div>
      )}
    </div>
  );
}

function SecretControls({ endpoint }: { endpoint: Endpoint }) {
  const { t, language } = useSession();
  const [secret, setSecret] = useState<string | null>(null);
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
  const run = async (action: () => Promise<void>) => {
    try {
      await action();
    } catch (err) {
      setMessage({ ok: false, text: describeError(err) });
    }
  };
  const fetchSecret = async () =>
    (await api<{ secret: string }>('GET', `/webhooks/endpoints/${endpoint.id}/secret/`)).secret;
  return (
    <div class="secret">
      <span>{t('webhooks.secret')}: </span>
      <code data-testid="secret">{secret ?? 'whsec_••••••••'}</code>{' '}
      <button
        type="button"
        class="secondary"
        onClick={() => void run(async () => setSecret(await fetchSecret()))}
      >
        {t('webhooks.reveal')}
      </button>{' '}
      <button
        type="button"
        class="secondary"
        onClick={() =>
          void run(async () => {
            await navigator.clipboard.writeText(secret ?? (await fetchSecret()));
            setMessage({ ok: true, text: t('webhooks.copied') });
          })
        }
      >
        {t('webhooks.copy')}
      </button>{' '}
      <button
        type="button"
        class="secondary"
        onClick={() =>
          void run(async () => {
            const rotated = await api<{ secret: string; previous_secret_expires_at: string | null }>(
              'POST',
              `/webhooks/endpoints/${endpoint.id}/secret/rotate/`,
              {},
            );
            setSecret(rotated.secret);
            const until = rotated.previous_secret_expires_at;
            setMessage({
              ok: true,
              text: until
                ? t('webhooks.rotated', new Date(until).toLocaleString(language))
                : t('webhooks.rotatedNow'),
            });
          })
        }
      >
        {t('webhooks.rotate')}
      </button>
      {message && <Notice kind={message.ok ? 'ok' : 'error'}>{message.text}</Notice>}
    </div>
  );
}

export function WebhooksPage() {
  const { t, me, navigate } = useSession();
  const { data, error, reload } = useAsync(
    () => api<{ data: Endpoint[] }>('GET', '/webhooks/endpoints/'),
    [],
  );
  const [newSecret, setNewSecret] = useState<string | null>(null);
  const [actionError, setActionError] = useState<string | null>(null);
  return (
    <section aria-labelledby="webhooks-title">
      <h1 id="webhooks-title">{t('nav.webhooks')}</h1>
      {error && <Notice kind="error">{describeError(error)}</Notice>}
      {actionError && <Notice kind="error">{actionError}</Notice>}
      {newSecret && (
        <Notice kind="ok">
          {t('webhooks.secret')}: <code data-testid="new-secret">{newSecret}</code>
        </Notice>
      )}
      {!me.read_only && (
        <EndpointForm
          onSaved={(secret) => {
            setNewSecret(secret ?? null);
            reload();
          }}
        />
      )}
      <h2>{t('webhooks.endpoints')}</h2>
      {data && data.data.length === 0 && <p>{t('webhooks.empty')}</p>}
      {data?.data.map((ep) => (
        <article class="card endpoint" key={ep.id} aria-label={ep.url}>
          <h3>
            {ep.url}{' '}
            <span class={`badge ${ep.enabled ? 'ok' : 'bad'}`}>
              {ep.enabled ? t('webhooks.enabled') : '—'}
            </span>
          </h3>
          <p class="muted">
            {ep.id} · {ep.events.length ? ep.events.join(', ') : t('webhooks.allCustomerEvents')}
            {ep.description ? ` · ${ep.description}` : ''}
          </p>
          {ep.disabled_reason && <Notice kind="error">{t('webhooks.disabled', ep.disabled_reason)}</Notice>}
          <p>
            <a
              href={adminPath(`/deliveries?endpoint_id=${ep.id}`)}
              onClick={(e) => {
                e.preventDefault();
                navigate(`/deliveries?endpoint_id=${ep.id}`);
              }}
            >
              {t('nav.deliveries')}
            </a>
          </p>
          {!me.read_only && (
            <>
              <SecretControls endpoint={ep} />
              <details>
                <summary>{t('save')}…</summary>
                <EndpointForm endpoint={ep} onSaved={reload} />
              </details>
              <TestSender endpoint={ep} />
              <button
                type="button"
                class="danger"
                onClick={() => {
                  api('DELETE', `/webhooks/endpoints/${ep.id}/`).then(reload, (err: unknown) =>
                    setActionError(describeError(err)),
                  );
                }}
              >
                {t('webhooks.delete')}
              </button>
            </>
          )}
        </article>
      ))}
    </section>
  );
}
