import type { EarningBonus, Weekday } from '../../api.js';
import { formatBrl, formatDecimal, formatInt } from '../../format.js';
import type { Translate } from '../../i18n.js';

/**
 * A bonus in words and back: multipliers with the language's decimal (`×1,5` / `×1.5`), dates the
 * Brazilian way (`28/11/2026`), times on the 24-hour clock, and the form's text turned into the
 * API's body. Pure, so the form and the list agree.
 */

/** `×1,5 (+50%)`: the factor and what it adds, in the language's numbers. */
export function formatMultiplier(multiplier: number, language: string): string {
  const extra = new Intl.NumberFormat(language, {
    style: 'percent',
    signDisplay: 'always',
    maximumFractionDigits: 0,
  }).format(multiplier - 1);
  return `×${formatDecimal(multiplier, language)} (${extra})`;
}

/** `2026-11-28` (the API's) as `28/11/2026`. */
export function brazilianDate(iso: string): string {
  const match = /^(\d{4})-(\d\d)-(\d\d)$/.exec(iso);
  return match ? `${match[3]}/${match[2]}/${match[1]}` : iso;
}

/** `28/11/2026` (or `1/2/2026`) as the API's `2026-11-28`; anything else as typed, for the API to refuse. */
export function isoDate(text: string): string {
  const trimmed = text.trim();
  const match = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/.exec(trimmed);
  return match ? `${match[3]}-${match[2]!.padStart(2, '0')}-${match[1]!.padStart(2, '0')}` : trimmed;
}

/** `9:30`, `17h` or `17h30` (as Brazilians write hours) as the API's `09:30`, `17:00`, `17:30`; else as typed. */
export function isoTime(text: string): string {
  const trimmed = text.trim();
  const match = /^(\d{1,2})(?::(\d\d)|h(\d\d)?)$/i.exec(trimmed);
  return match ? `${match[1]!.padStart(2, '0')}:${match[2] ?? match[3] ?? '00'}` : trimmed;
}

/**
 * The description the server writes when none is given (`validate-program.ts` `defaultDescription`):
 * the form leaves the field empty when a bonus still has it, so that changing the multiplier writes
 * a fresh one instead of keeping a stale `×2`.
 */
export function generatedDescription(bonus: EarningBonus): string {
  switch (bonus.type) {
    case 'category_bonus':
      return `${bonus.category.trim()} ×${bonus.multiplier}`;
    case 'happy_hour':
      return `Happy hour ${bonus.start}–${bonus.end} ×${bonus.multiplier}`;
    case 'special_promotion':
      return `Promotion ${bonus.start_date} to ${bonus.end_date} ×${bonus.multiplier}`;
  }
}

export function weekdaysText(t: Translate, weekdays: readonly Weekday[]): string {
  return weekdays.map((day) => t(`weekdayShort.${day}`)).join(', ');
}

/** One line that says what the bonus does: `Itens de “Sobremesas” ×1,5 (+50%)`. */
export function bonusSummary(t: Translate, bonus: EarningBonus, timeZone: string): string {
  const factor = formatMultiplier(bonus.multiplier, t.language);
  switch (bonus.type) {
    case 'category_bonus':
      return t('bonus.summary.category_bonus', bonus.category, factor);
    case 'happy_hour':
      return t(
        'bonus.summary.happy_hour',
        weekdaysText(t, bonus.weekdays),
        bonus.start,
        bonus.end,
        timeZone,
        factor,
      );
    case 'special_promotion':
      return t(
        'bonus.summary.special_promotion',
        brazilianDate(bonus.start_date),
        brazilianDate(bonus.end_date),
        factor,
      );
  }
}

/** Hundredths of a rate with at most two decimals, exactly: 1.25 → 125 (as the server counts). */
const hundredths = (rate: number) => Math.round(rate * 100);

/**
 * What R$ 100,00 earns with the bonus (before the tier's multiplier), in integer arithmetic as the
 * server does it (`program/earning.ts`): `Um pedido de R$ 100,00 rende 150 pontos em vez de 100.`
 */
export function bonusExample(
  t: Translate,
  bonus: EarningBonus,
  rules: { points_per_currency: number; rounding: 'floor' | 'round' },
): string {
  const base = hundredths(rules.points_per_currency); // 100 reais × rate
  const product = base * hundredths(bonus.multiplier);
  const earned = rules.rounding === 'floor' ? Math.floor(product / 100) : Math.floor((product + 50) / 100);
  const points = (n: number) => formatInt(n, t.language);
  return bonus.type === 'category_bonus'
    ? t('bonus.exampleCategory', formatBrl(100), points(earned), points(base), bonus.category)
    : t('bonus.example', formatBrl(100), points(earned), points(base));
}
