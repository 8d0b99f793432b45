import { useState } from 'preact/hooks';
import { api, setApiKey, type Me } from '../api.js';
import { Field, Notice } from '../components/field.js';
import { describeError } from '../components/use-async.js';
import type { Translate } from '../i18n.js';

/** `text with `commands`` with the commands set in <code>. */
function withCode(text: string) {
  return text.split('`').map((part, i) => (i % 2 === 1 ? <code key={i}>{part}</code> : part));
}

export function SignIn({ t, onSignedIn }: { t: Translate; onSignedIn: (me: Me) => void }) {
  const [key, setKey] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const me = await api<Me>('GET', '/me/', undefined, key.trim());
      setApiKey(key.trim());
      onSignedIn(me);
    } catch (err) {
      setError(describeError(t, err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <main class="signin">
      <h1>{t('app.title')}</h1>
      <form onSubmit={(e) => void submit(e)} aria-labelledby="signin-title">
        <h2 id="signin-title">{t('signin.title')}</h2>
        <div class="signin-help">
          <p>{withCode(t('signin.what'))}</p>
          <p>{withCode(t('signin.where'))}</p>
          <p>{withCode(t('signin.keep'))}</p>
        </div>
        <Field
          label={t('signin.key')}
          value={key}
          onInput={setKey}
          type="password"
          required
          hint={t('signin.hint')}
          name="apiKey"
        />
        {error && <Notice kind="error">{error}</Notice>}
        <button type="submit" disabled={busy}>
          {t('signin.submit')}
        </button>
      </form>
    </main>
  );
}
