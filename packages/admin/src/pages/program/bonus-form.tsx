import { useEffect, useId, useRef, useState } from 'preact/hooks';
import { ApiError, EARNING_BONUS_TYPES, WEEKDAYS, type EarningBonus, type FieldError } from '../../api.js';
import { describeError, fieldErrorText } from '../../api-messages.js';
import { Field, Notice, Select } from '../../components/field.js';
import { useSession } from '../../context.js';
import type { MessageKey, Translate } from '../../i18n.js';
import { bonusBodyOf, draftOf, EMPTY_BONUS, type BonusDraft } from './bonus-draft.js';
import { brazilianDate } from './bonus-text.js';

type BonusKey =
  | 'type'
  | 'multiplier'
  | 'description'
  | 'category'
  | 'weekdays'
  | 'start'
  | 'end'
  | 'start_date'
  | 'end_date';

const LABELS: Readonly<Record<BonusKey, MessageKey>> = {
  type: 'bonus.type',
  multiplier: 'bonus.multiplier',
  description: 'bonus.description',
  category: 'bonus.category',
  weekdays: 'bonus.weekdays',
  start: 'bonus.start',
  end: 'bonus.end',
  start_date: 'bonus.startDate',
  end_date: 'bonus.endDate',
};

/**
 * A field error of this bonus in the panel's words. The API speaks its own formats (`2026-11-28`,
 * a regular expression, `earning.bonuses[0]`); the form speaks the owner's: dates as `28/11/2026`,
 * an hour as `17:00`, another bonus by its number.
 */
function bonusErrorText(t: Translate, key: string, error: FieldError): string {
  const params = error.params ?? {};
  if (
    (key === 'start_date' || key === 'end_date') &&
    ['pattern_mismatch', 'date_invalid'].includes(error.code)
  )
    return t('bonus.dateFormat');
  if ((key === 'start' || key === 'end') && error.code === 'pattern_mismatch')
    return fieldErrorText(t, { ...error, code: 'time_invalid' });
  if (error.code === 'before_start' && typeof params.start === 'string')
    return fieldErrorText(t, { ...error, params: { ...params, start: brazilianDate(params.start) } });
  const other = /^earning\.bonuses\[(\d+)\]$/.exec(String(params.at ?? ''));
  if (error.code === 'bonus_category_taken' && other)
    return fieldErrorText(t, {
      ...error,
      params: { ...params, at: t('bonus.number', Number(other[1]) + 1) },
    });
  return fieldErrorText(t, error);
}

/**
 * Adds a bonus or changes one. `at` is its place in the program's list, where the API's 422 names
 * its fields (`earning.bonuses[2].multiplier`): each message shows under its field, and a summary
 * names the fields by their labels, so an error in a field of another kind is never silent.
 */
export function BonusForm(props: {
  bonus?: EarningBonus;
  at: number;
  onSave: (bonus: Record<string, unknown>) => Promise<void>;
  onCancel: () => void;
}) {
  const { t, me } = useSession();
  const id = useId();
  const root = useRef<HTMLFormElement>(null);
  const [draft, setDraft] = useState<BonusDraft>(
    props.bonus ? draftOf(props.bonus, t.language) : EMPTY_BONUS,
  );
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);
  useEffect(() => root.current?.querySelector('select')?.focus(), []);
  const set = (patch: Partial<BonusDraft>) => setDraft({ ...draft, ...patch });
  const prefix = `earning.bonuses[${props.at}].`;
  const mine = (error?.fieldErrors ?? []).filter((e) => e.field.startsWith(prefix));
  const errorOf = (key: BonusKey) => {
    const found = mine.find((e) => e.field === prefix + key);
    return found && bonusErrorText(t, key, found);
  };
  const submit = async (e: Event) => {
    e.preventDefault();
    setError(null);
    setBusy(true);
    try {
      await props.onSave(bonusBodyOf(draft, WEEKDAYS));
    } catch (err) {
      setError(err instanceof ApiError ? err : new ApiError(0, 'Error', String(err), []));
      setBusy(false);
    }
  };
  const summary = mine.map((e) => {
    const key = e.field.slice(prefix.length) as BonusKey;
    return `${LABELS[key] ? t(LABELS[key]) : key}: ${bonusErrorText(t, key, e)}`;
  });
  const title = props.bonus ? t('bonus.editTitle') : t('bonus.new');
  return (
    <form ref={root} class="card bonus-form" aria-label={title} onSubmit={(e) => void submit(e)} noValidate>
      <h3>{title}</h3>
      <Select
        label={t('bonus.type')}
        value={draft.type}
        onChange={(v) => set({ type: v as BonusDraft['type'] })}
        options={EARNING_BONUS_TYPES.map((type) => ({ value: type, label: t(`bonus.type.${type}`) }))}
      />
      {draft.type === 'category_bonus' && (
        <Field
          label={t('bonus.category')}
          hint={t('bonus.categoryHint')}
          value={draft.category}
          onInput={(v) => set({ category: v })}
          error={errorOf('category')}
        />
      )}
      {draft.type === 'happy_hour' && (
        <>
          <fieldset class="field" aria-describedby={errorOf('weekdays') ? `${id}-days-error` : undefined}>
            <legend>{t('bonus.weekdays')}</legend>
            <div class="weekdays">
              {WEEKDAYS.map((day) => (
                <label key={day} class="check" for={`${id}-${day}`}>
                  <input
                    id={`${id}-${day}`}
                    type="checkbox"
                    checked={draft.weekdays.includes(day)}
                    onChange={(e) =>
                      set({
                        weekdays: e.currentTarget.checked
                          ? [...draft.weekdays, day]
                          : draft.weekdays.filter((d) => d !== day),
                      })
                    }
                  />{' '}
                  {t(`weekday.${day}`)}
                </label>
              ))}
            </div>
            {errorOf('weekdays') && (
              <p class="error-text" id={`${id}-days-error`}>
                {errorOf('weekdays')}
              </p>
            )}
          </fieldset>
          <div class="bonus-pair">
            <Field
              label={t('bonus.start')}
              value={draft.start}
              onInput={(v) => set({ start: v })}
              inputMode="numeric"
              hint={t('bonus.timeHint', me.time_zone)}
              error={errorOf('start')}
            />
            <Field
              label={t('bonus.end')}
              value={draft.end}
              onInput={(v) => set({ end: v })}
              inputMode="numeric"
              error={errorOf('end')}
            />
          </div>
        </>
      )}
      {draft.type === 'special_promotion' && (
        <div class="bonus-pair">
          <Field
            label={t('bonus.startDate')}
            value={draft.start_date}
            onInput={(v) => set({ start_date: v })}
            inputMode="numeric"
            hint={t('bonus.dateHint', me.time_zone)}
            error={errorOf('start_date')}
          />
          <Field
            label={t('bonus.endDate')}
            value={draft.end_date}
            onInput={(v) => set({ end_date: v })}
            inputMode="numeric"
            error={errorOf('end_date')}
          />
        </div>
      )}
      <Field
        label={t('bonus.multiplier')}
        hint={t('bonus.multiplierHint')}
        value={draft.multiplier}
        onInput={(v) => set({ multiplier: v })}
        inputMode="decimal"
        error={errorOf('multiplier')}
      />
      <Field
        label={t('bonus.description')}
        hint={t('bonus.descriptionHint')}
        value={draft.description}
        onInput={(v) => set({ description: v })}
        error={errorOf('description')}
      />
      {error && (
        <Notice kind="error">{summary.length > 0 ? summary.join('; ') : describeError(t, error)}</Notice>
      )}
      <div class="bonus-actions">
        <button type="submit" disabled={busy}>
          {props.bonus ? t('bonus.save') : t('bonus.add')}
        </button>
        <button type="button" class="secondary" onClick={props.onCancel}>
          {t('cancel')}
        </button>
      </div>
    </form>
  );
}
