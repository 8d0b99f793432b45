import type { EarningBonus, Weekday } from '../../api.js';
import { formatDecimal, parseDecimal } from '../../format.js';
import { brazilianDate, generatedDescription, isoDate, isoTime } from './bonus-text.js';

/** The bonus form's text, field by field, as the owner typed it (every kind's fields kept while switching). */
export interface BonusDraft {
  type: EarningBonus['type'];
  multiplier: string;
  description: string;
  category: string;
  weekdays: Weekday[];
  start: string;
  end: string;
  start_date: string;
  end_date: string;
}

export const EMPTY_BONUS: BonusDraft = {
  type: 'category_bonus',
  multiplier: '',
  description: '',
  category: '',
  weekdays: [],
  start: '',
  end: '',
  start_date: '',
  end_date: '',
};

/** The form's text for a saved bonus; a description the server generated is left empty (see generatedDescription). */
export function draftOf(bonus: EarningBonus, language: string): BonusDraft {
  const description = bonus.description === generatedDescription(bonus) ? '' : bonus.description;
  const common = {
    ...EMPTY_BONUS,
    type: bonus.type,
    multiplier: formatDecimal(bonus.multiplier, language),
    description,
  };
  switch (bonus.type) {
    case 'category_bonus':
      return { ...common, category: bonus.category };
    case 'happy_hour':
      return { ...common, weekdays: bonus.weekdays, start: bonus.start, end: bonus.end };
    case 'special_promotion':
      return {
        ...common,
        start_date: brazilianDate(bonus.start_date),
        end_date: brazilianDate(bonus.end_date),
      };
  }
}

/**
 * The API's bonus for the draft: only the fields of its kind, the days in the week's order, and no
 * description when it is empty (the server writes one). What does not parse is sent as typed, so the
 * API's 422 names the field.
 */
export function bonusBodyOf(draft: BonusDraft, weekOrder: readonly Weekday[]): Record<string, unknown> {
  const description = draft.description.trim();
  const common = {
    type: draft.type,
    multiplier: parseDecimal(draft.multiplier),
    ...(description ? { description } : {}),
  };
  switch (draft.type) {
    case 'category_bonus':
      return { ...common, category: draft.category.trim() };
    case 'happy_hour':
      return {
        ...common,
        weekdays: weekOrder.filter((day) => draft.weekdays.includes(day)),
        start: isoTime(draft.start),
        end: isoTime(draft.end),
      };
    case 'special_promotion':
      return { ...common, start_date: isoDate(draft.start_date), end_date: isoDate(draft.end_date) };
  }
}
