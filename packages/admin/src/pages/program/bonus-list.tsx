import { useState } from 'preact/hooks';
import { ApiError, type EarningBonus, type Program } from '../../api.js';
import { describeError } from '../../api-messages.js';
import { ConfirmDialog } from '../../components/confirm-dialog.js';
import { Notice } from '../../components/field.js';
import { useSession } from '../../context.js';
import { BonusForm } from './bonus-form.js';
import { bonusExample, bonusSummary, generatedDescription } from './bonus-text.js';

/** The API's `earning.bonuses` `maxItems`. */
export const MAX_BONUSES = 20;

type Editing = { at: number } | 'new' | null;

/**
 * The earning rules' bonuses, each in words with what R$ 100,00 earns under it, and the controls to
 * add, change and remove one. Each change is saved at once (`save` replaces the program's list and
 * resolves with the saved program), so what the list shows is what the API holds; removing asks first.
 */
export function BonusList(props: {
  earning: NonNullable<Program['earning']>;
  save: (bonuses: Record<string, unknown>[]) => Promise<void>;
}) {
  const { t, me } = useSession();
  const bonuses = props.earning.bonuses;
  const [editing, setEditing] = useState<Editing>(null);
  const [removing, setRemoving] = useState<number | null>(null);
  const [notice, setNotice] = useState<{ ok: boolean; text: string } | null>(null);
  const [busy, setBusy] = useState(false);
  // Saved bonuses go back as they are: each already has exactly the fields of its kind.
  const others = (skip: number) =>
    bonuses.filter((_, i) => i !== skip) as unknown as Record<string, unknown>[];
  const saveOne = async (at: number | null, body: Record<string, unknown>) => {
    setNotice(null);
    const list = bonuses as unknown as Record<string, unknown>[];
    await props.save(at === null ? [...list, body] : list.map((b, i) => (i === at ? body : b)));
    setEditing(null);
    setNotice({ ok: true, text: t(at === null ? 'bonus.added' : 'bonus.saved') });
  };
  const remove = async (at: number) => {
    setBusy(true);
    try {
      await props.save(others(at));
      setNotice({ ok: true, text: t('bonus.removed') });
    } catch (err) {
      setNotice({ ok: false, text: describeError(t, err instanceof ApiError ? err : null) });
    } finally {
      setBusy(false);
      setRemoving(null);
    }
  };
  const removed = removing === null ? undefined : bonuses[removing];
  return (
    <section class="card" aria-labelledby="bonuses-title">
      <h2 id="bonuses-title">{t('bonus.title')}</h2>
      <p class="hint">{t('bonus.intro')}</p>
      {bonuses.length === 0 && <p data-testid="bonuses">{t('bonus.empty')}</p>}
      {bonuses.length > 0 && (
        <ul class="bonus-list" aria-labelledby="bonuses-title" data-testid="bonuses">
          {bonuses.map((bonus: EarningBonus, i) => {
            const summary = bonusSummary(t, bonus, me.time_zone);
            return (
              <li key={i}>
                <p class="bonus-summary">{summary}</p>
                {bonus.description !== generatedDescription(bonus) && (
                  <p class="muted">{bonus.description}</p>
                )}
                <p class="muted">{bonusExample(t, bonus, props.earning)}</p>
                {!me.read_only && (
                  <div class="bonus-actions">
                    <button type="button" class="secondary" onClick={() => setEditing({ at: i })}>
                      {t('bonus.edit')}
                      <span class="visually-hidden">: {summary}</span>
                    </button>
                    <button type="button" class="danger" onClick={() => setRemoving(i)}>
                      {t('bonus.remove')}
                      <span class="visually-hidden">: {summary}</span>
                    </button>
                  </div>
                )}
                {editing !== null && editing !== 'new' && editing.at === i && (
                  <BonusForm
                    key={`edit-${i}`}
                    bonus={bonus}
                    at={i}
                    onSave={(body) => saveOne(i, body)}
                    onCancel={() => setEditing(null)}
                  />
                )}
              </li>
            );
          })}
        </ul>
      )}
      {notice && <Notice kind={notice.ok ? 'ok' : 'error'}>{notice.text}</Notice>}
      {!me.read_only && editing === 'new' && (
        <BonusForm
          key="new"
          at={bonuses.length}
          onSave={(body) => saveOne(null, body)}
          onCancel={() => setEditing(null)}
        />
      )}
      {!me.read_only && editing !== 'new' && bonuses.length < MAX_BONUSES && (
        <button type="button" onClick={() => setEditing('new')}>
          {t('bonus.add')}
        </button>
      )}
      {!me.read_only && bonuses.length >= MAX_BONUSES && <p class="hint">{t('bonus.limit', MAX_BONUSES)}</p>}
      {removed && removing !== null && (
        <ConfirmDialog
          title={t('bonus.removeTitle', bonusSummary(t, removed, me.time_zone))}
          confirmLabel={t('bonus.removeConfirm')}
          danger
          busy={busy}
          onConfirm={() => void remove(removing)}
          onCancel={() => setRemoving(null)}
        >
          <p>{t('bonus.removeBody')}</p>
        </ConfirmDialog>
      )}
    </section>
  );
}
