import { useEffect, useState } from 'preact/hooks';
import { QUALIFICATION_METRICS, TIER_NAMES } from '@zupy/webhooks/events';
import { api, ApiError, type Program, type ProgramMetric } from '../api.js';
import { tierName } from '../i18n.js';
import { fieldError } from '../api-messages.js';
import { DecimalField } from '../components/decimal-field.js';
import { Field, Notice, Select } from '../components/field.js';
import { describeError, useAsync } from '../components/use-async.js';
import { useSession } from '../context.js';
import { BonusList } from './program/bonus-list.js';

/** The SDK's metrics a program can use (not `custom_criteria`, which only describes manual changes). */
const PROGRAM_METRICS = QUALIFICATION_METRICS.filter((m): m is ProgramMetric => m !== 'custom_criteria');

export function ProgramPage() {
  const { t, me } = useSession();
  const { data, error } = useAsync(() => api<Program>('GET', '/loyalty/program/'), []);
  const [program, setProgram] = useState<Program | null>(null);
  /** The program as the API last gave it: what a bonus change is applied to (not the unsaved form). */
  const [stored, setStored] = useState<Program | null>(null);
  const [saveError, setSaveError] = useState<ApiError | null>(null);
  const [saved, setSaved] = useState(false);
  useEffect(() => {
    if (data) {
      setProgram(data);
      setStored(data);
    }
  }, [data]);
  if (error) return <Notice kind="error">{describeError(t, error)}</Notice>;
  if (!program || !stored) return <p>{t('loading')}</p>;
  const setTier = (i: number, patch: Partial<Program['tiers'][number]>) =>
    setProgram({
      ...program,
      tiers: program.tiers.map((tier, j) => (i === j ? { ...tier, ...patch } : tier)),
    });
  const earning = program.earning ?? { points_per_currency: 1, rounding: 'floor' as const, bonuses: [] };
  const setEarning = (patch: Partial<typeof earning>) =>
    setProgram({ ...program, earning: { ...earning, ...patch } });
  /**
   * One bonus added, changed or removed, saved at once on the stored program: the form's other
   * unsaved changes stay in the form, unsaved, and keep their own Save.
   */
  const saveBonuses = async (bonuses: Record<string, unknown>[]) => {
    const result = await api<Program>('PUT', '/loyalty/program/', {
      ...stored,
      earning: { ...(stored.earning ?? earning), bonuses },
    });
    setStored(result);
    setProgram({ ...program, earning: { ...earning, bonuses: result.earning?.bonuses ?? [] } });
  };
  const save = async (e: Event) => {
    e.preventDefault();
    setSaveError(null);
    setSaved(false);
    try {
      const result = await api<Program>('PUT', '/loyalty/program/', program);
      setProgram(result);
      setStored(result);
      setSaved(true);
    } catch (err) {
      setSaveError(err instanceof ApiError ? err : new ApiError(0, 'Error', String(err), []));
    }
  };
  return (
    <section aria-labelledby="program-title">
      <h1 id="program-title">{t('nav.program')}</h1>
      <form class="card" onSubmit={(e) => void save(e)} noValidate>
        <fieldset disabled={me.read_only}>
          <label class="check">
            <input
              type="checkbox"
              checked={program.tiers_enabled}
              onChange={(e) => setProgram({ ...program, tiers_enabled: e.currentTarget.checked })}
            />{' '}
            {t('program.tiersEnabled')}
          </label>
          <Select
            label={t('program.metric')}
            value={program.qualification_metric}
            onChange={(v) =>
              setProgram({ ...program, qualification_metric: v as Program['qualification_metric'] })
            }
            options={PROGRAM_METRICS.map((m) => ({
              value: m,
              label: t(`metric.${m}`),
            }))}
          />
          <fieldset class="field">
            <legend>{t('program.tiers')}</legend>
            {program.tiers.map((tier, i) => (
              <div class="tier-row" key={i}>
                <Select
                  label={`${t('customers.tier')} ${i + 1}`}
                  value={tier.name}
                  onChange={(v) => setTier(i, { name: v })}
                  options={TIER_NAMES.map((n) => ({ value: n, label: tierName(t, n) }))}
                  error={fieldError(t, saveError, `tiers[${i}].name`)}
                />
                <Field
                  label={`${t('program.metric')} ≥`}
                  value={String(tier.threshold)}
                  onInput={(v) => setTier(i, { threshold: Number(v) })}
                  inputMode="decimal"
                  error={fieldError(t, saveError, `tiers[${i}].threshold`)}
                />
                <DecimalField
                  label={`${t('program.multiplier')} (${tierName(t, tier.name)})`}
                  value={tier.points_multiplier ?? 1}
                  language={t.language}
                  onValue={(v) => setTier(i, { points_multiplier: v })}
                  error={fieldError(t, saveError, `tiers[${i}].points_multiplier`)}
                />
                <Field
                  label={`${t('program.benefits')} (${tierName(t, tier.name)})`}
                  value={(tier.benefits ?? []).join('; ')}
                  onInput={(v) =>
                    setTier(i, {
                      benefits: v
                        .split(';')
                        .map((b) => b.trim())
                        .filter((b) => b !== ''),
                    })
                  }
                  error={fieldError(t, saveError, `tiers[${i}].benefits`)}
                />
                <button
                  type="button"
                  class="secondary"
                  onClick={() => setProgram({ ...program, tiers: program.tiers.filter((_, j) => j !== i) })}
                >
                  {t('program.remove')}
                </button>
              </div>
            ))}
            <button
              type="button"
              class="secondary"
              onClick={() =>
                setProgram({
                  ...program,
                  tiers: [
                    ...program.tiers,
                    { name: 'vip', threshold: (program.tiers.at(-1)?.threshold ?? 0) + 1000 },
                  ],
                })
              }
            >
              {t('program.addTier')}
            </button>
          </fieldset>
          <Select
            label={t('program.welcome')}
            value={program.welcome_reward.type}
            onChange={(v) =>
              setProgram({
                ...program,
                welcome_reward:
                  v === 'points'
                    ? { type: 'points', points: program.welcome_reward.points ?? 100 }
                    : { type: v as 'none' | 'coupon' },
              })
            }
            options={(['none', 'points', 'coupon'] as const).map((r) => ({
              value: r,
              label: t(`reward.${r}`),
            }))}
          />
          {program.welcome_reward.type === 'points' && (
            <Field
              label={t('program.welcomePoints')}
              value={String(program.welcome_reward.points ?? '')}
              onInput={(v) =>
                setProgram({ ...program, welcome_reward: { type: 'points', points: Number(v) } })
              }
              inputMode="numeric"
              error={fieldError(t, saveError, 'welcome_reward.points')}
            />
          )}
          <fieldset class="field">
            <legend>{t('program.earning')}</legend>
            <DecimalField
              label={t('program.perReal')}
              value={earning.points_per_currency}
              language={t.language}
              onValue={(v) => setEarning({ points_per_currency: v })}
              error={fieldError(t, saveError, 'earning.points_per_currency')}
            />
            <Select
              label={t('program.rounding')}
              value={earning.rounding}
              onChange={(v) => setEarning({ rounding: v as 'floor' | 'round' })}
              options={(['floor', 'round'] as const).map((r) => ({ value: r, label: t(`rounding.${r}`) }))}
            />
            <p class="hint">{t('program.bonuses', earning.bonuses.length)}</p>
            <Field
              label={t('program.expiry')}
              value={String(program.point_expiration_days ?? 0)}
              onInput={(v) => setProgram({ ...program, point_expiration_days: Number(v) })}
              inputMode="numeric"
              error={fieldError(t, saveError, 'point_expiration_days')}
            />
          </fieldset>
          {saveError && <Notice kind="error">{describeError(t, saveError)}</Notice>}
          {saved && <Notice kind="ok">{t('program.saved')}</Notice>}
          <button type="submit">{t('save')}</button>
        </fieldset>
      </form>
      <BonusList earning={stored.earning ?? earning} save={saveBonuses} />
    </section>
  );
}
