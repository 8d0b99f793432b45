import { useEffect, useState } from 'preact/hooks';
import { api, ApiError, NOTICE_LANGUAGES, type Me, type NoticeLanguage } from '../api.js';
import { fieldError } from '../api-messages.js';
import { Field, Notice, Select } from '../components/field.js';
import { describeError, useAsync } from '../components/use-async.js';
import { useSession } from '../context.js';

/** Each language named in itself, as on the panel's own switch. */
const LANGUAGE_NAMES: Record<NoticeLanguage, string> = { 'pt-BR': 'Português (Brasil)', en: 'English' };

/**
 * The company's settings (`/me/`): where and in which language Zupy e-mails the owner about its
 * webhook endpoints. A read-only key sees them in a disabled form.
 */
export function SettingsPage() {
  const { t, me } = useSession();
  const { data, error, setData } = useAsync(() => api<Me>('GET', '/me/'), []);
  const [email, setEmail] = useState('');
  const [language, setLanguage] = useState<NoticeLanguage>('pt-BR');
  const [saveError, setSaveError] = useState<ApiError | null>(null);
  const [saved, setSaved] = useState(false);
  useEffect(() => {
    if (!data) return;
    setEmail(data.notification_email ?? '');
    setLanguage(data.language);
  }, [data]);
  if (error) return <Notice kind="error">{describeError(t, error)}</Notice>;
  if (!data) return <p>{t('loading')}</p>;
  const save = async (e: Event) => {
    e.preventDefault();
    setSaveError(null);
    setSaved(false);
    try {
      // An empty box stops the e-mails; the API trims and lowercases the address it keeps.
      setData(
        await api<Me>('PATCH', '/me/', { notification_email: email.trim() === '' ? null : email, language }),
      );
      setSaved(true);
    } catch (err) {
      setSaveError(err instanceof ApiError ? err : new ApiError(0, 'Error', String(err), []));
    }
  };
  return (
    <section aria-labelledby="settings-title">
      <h1 id="settings-title">{t('nav.settings')}</h1>
      <form class="card" onSubmit={(e) => void save(e)} aria-labelledby="notices-title" noValidate>
        <h2 id="notices-title">{t('settings.notices')}</h2>
        <p data-testid="notices-current">
          {data.notification_email ? t('settings.current', data.notification_email) : t('settings.noAddress')}
        </p>
        <fieldset disabled={me.read_only}>
          <Field
            label={t('settings.email')}
            value={email}
            onInput={setEmail}
            type="email"
            inputMode="email"
            name="notification_email"
            hint={t('settings.emailHint')}
            error={fieldError(t, saveError, 'notification_email')}
          />
          <Select
            label={t('settings.language')}
            value={language}
            onChange={(v) => setLanguage(v as NoticeLanguage)}
            options={NOTICE_LANGUAGES.map((l) => ({ value: l, label: LANGUAGE_NAMES[l] }))}
            error={fieldError(t, saveError, 'language')}
            name="language"
          />
          {saveError && saveError.fieldErrors.length === 0 && (
            <Notice kind="error">{describeError(t, saveError)}</Notice>
          )}
          {saved && <Notice kind="ok">{t('settings.saved')}</Notice>}
          <button type="submit">{t('save')}</button>
        </fieldset>
      </form>
    </section>
  );
}
