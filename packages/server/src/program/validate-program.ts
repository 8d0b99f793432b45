import { ZupyError, type FieldError } from '../errors.js';
import type { Weekday } from '../shared/time-zone.js';
import type { EarningBonus, EarningRules, Program, Rounding } from './program.js';

/** A bonus as the API takes it: one object, the fields its type needs checked here. */
export interface EarningBonusInput {
  type: EarningBonus['type'];
  multiplier: number;
  description?: string | undefined;
  category?: string | undefined;
  weekdays?: Weekday[] | undefined;
  start?: string | undefined;
  end?: string | undefined;
  start_date?: string | undefined;
  end_date?: string | undefined;
}

export interface EarningRulesInput {
  points_per_currency: number;
  rounding: Rounding;
  bonuses: EarningBonusInput[];
}

const NEEDS: { readonly [T in EarningBonus['type']]: readonly (keyof EarningBonusInput)[] } = {
  category_bonus: ['category'],
  happy_hour: ['weekdays', 'start', 'end'],
  special_promotion: ['start_date', 'end_date'],
};
const ALL_OPTIONAL: readonly (keyof EarningBonusInput)[] = [
  'category',
  'weekdays',
  'start',
  'end',
  'start_date',
  'end_date',
];

function defaultDescription(bonus: EarningBonusInput): string {
  switch (bonus.type) {
    case 'category_bonus':
      return `${bonus.category?.trim()} ×${bonus.multiplier}`;
    case 'happy_hour':
      return `Happy hour ${bonus.start}–${bonus.end} ×${bonus.multiplier}`;
    case 'special_promotion':
      return `Promotion ${bonus.start_date} to ${bonus.end_date} ×${bonus.multiplier}`;
  }
}

/**
 * The typed rules from the API's body: each bonus has the fields of its type (a missing one, or one
 * of another type, is a 422 naming it), and a description (generated when left out).
 */
export function earningFromInput(input: EarningRulesInput): EarningRules {
  const errors: FieldError[] = [];
  const bonuses = input.bonuses.map((b, i): EarningBonus => {
    for (const key of NEEDS[b.type])
      if (b[key] === undefined)
        errors.push({
          field: `earning.bonuses[${i}].${key}`,
          code: 'bonus_field_missing',
          detail: `is required for a ${b.type}`,
          params: { type: b.type },
        });
    for (const key of ALL_OPTIONAL)
      if (b[key] !== undefined && !NEEDS[b.type].includes(key))
        errors.push({
          field: `earning.bonuses[${i}].${key}`,
          code: 'bonus_field_unknown',
          detail: `is not a field of a ${b.type}`,
          params: { type: b.type },
        });
    const description = b.description?.trim() || defaultDescription(b);
    switch (b.type) {
      case 'category_bonus':
        return { type: b.type, category: (b.category ?? '').trim(), multiplier: b.multiplier, description };
      case 'happy_hour':
        return {
          type: b.type,
          weekdays: b.weekdays ?? [],
          start: b.start ?? '',
          end: b.end ?? '',
          multiplier: b.multiplier,
          description,
        };
      case 'special_promotion':
        return {
          type: b.type,
          start_date: b.start_date ?? '',
          end_date: b.end_date ?? '',
          multiplier: b.multiplier,
          description,
        };
    }
  });
  if (errors.length > 0) throw validationFailed(errors);
  return { points_per_currency: input.points_per_currency, rounding: input.rounding, bonuses };
}

function validationFailed(errors: FieldError[]): ZupyError {
  return new ZupyError('ZUPY_VALIDATION_FAILED', errors.map((e) => `${e.field}: ${e.detail}`).join('; '), {
    fieldErrors: errors,
  });
}

const HHMM = /^([01]\d|2[0-3]):[0-5]\d$/;

function isCalendarDate(text: string): boolean {
  if (!/^\d{4}-\d\d-\d\d$/.test(text)) return false;
  const date = new Date(`${text}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().slice(0, 10) === text;
}

/** The earning rules' own checks: times and dates that exist and end after they start, one bonus per category. */
function validateEarning(earning: EarningRules, errors: FieldError[]): void {
  const categories = new Map<string, number>();
  earning.bonuses.forEach((bonus, i) => {
    const at = `earning.bonuses[${i}]`;
    if (bonus.type === 'category_bonus') {
      const key = bonus.category.trim().toLocaleLowerCase('pt-BR');
      if (key === '') errors.push({ field: `${at}.category`, code: 'required', detail: 'is required' });
      const first = categories.get(key);
      if (first !== undefined && key !== '')
        errors.push({
          field: `${at}.category`,
          code: 'bonus_category_taken',
          params: { category: bonus.category, at: `earning.bonuses[${first}]` },
          detail: `category "${bonus.category}" already has a bonus (earning.bonuses[${first}])`,
        });
      else categories.set(key, i);
    } else if (bonus.type === 'happy_hour') {
      if (!HHMM.test(bonus.start))
        errors.push({ field: `${at}.start`, code: 'time_invalid', detail: 'must be a time like 17:00' });
      if (!HHMM.test(bonus.end))
        errors.push({ field: `${at}.end`, code: 'time_invalid', detail: 'must be a time like 19:00' });
      else if (HHMM.test(bonus.start) && bonus.end <= bonus.start)
        errors.push({
          field: `${at}.end`,
          code: 'not_after_start',
          params: { start: bonus.start },
          detail: `must be later than start (${bonus.start}); a window past midnight is two happy hours`,
        });
      if (new Set(bonus.weekdays).size !== bonus.weekdays.length)
        errors.push({ field: `${at}.weekdays`, code: 'duplicate_items', detail: 'lists a weekday twice' });
    } else {
      if (!isCalendarDate(bonus.start_date))
        errors.push({
          field: `${at}.start_date`,
          code: 'date_invalid',
          detail: 'must be a date like 2025-11-28',
        });
      if (!isCalendarDate(bonus.end_date))
        errors.push({
          field: `${at}.end_date`,
          code: 'date_invalid',
          detail: 'must be a date like 2025-11-30',
        });
      else if (isCalendarDate(bonus.start_date) && bonus.end_date < bonus.start_date)
        errors.push({
          field: `${at}.end_date`,
          code: 'before_start',
          params: { start: bonus.start_date },
          detail: `must not be before start_date (${bonus.start_date})`,
        });
    }
  });
}

/** Rules a JSON schema cannot say: unique tier names, ascending thresholds, points when rewarding points. */
export function validateProgram(program: Program): Program {
  const errors: FieldError[] = [];
  const seen = new Set<string>();
  program.tiers.forEach((tier, i) => {
    if (seen.has(tier.name))
      errors.push({
        field: `tiers[${i}].name`,
        code: 'duplicate_tier',
        detail: `tier "${tier.name}" is listed twice`,
        params: { tier: tier.name },
      });
    seen.add(tier.name);
    const previous = program.tiers[i - 1];
    if (previous !== undefined && tier.threshold <= previous.threshold) {
      errors.push({
        field: `tiers[${i}].threshold`,
        code: 'threshold_not_increasing',
        params: { tier: previous.name, threshold: previous.threshold },
        detail: `must be greater than the threshold of "${previous.name}" (${previous.threshold}); list tiers from lowest to highest`,
      });
    }
  });
  if (program.tiers_enabled && program.tiers.length === 0) {
    errors.push({
      field: 'tiers',
      code: 'tiers_empty',
      detail: 'list at least one tier, or set tiers_enabled to false',
    });
  }
  const reward = program.welcome_reward;
  if (reward.type === 'points' && !(Number.isInteger(reward.points) && reward.points >= 1)) {
    errors.push({
      field: 'welcome_reward.points',
      code: 'welcome_points_invalid',
      detail: 'must be an integer of at least 1 when type is "points"',
    });
  }
  program.tiers.forEach((tier, i) => {
    if (new Set(tier.benefits).size !== tier.benefits.length)
      errors.push({
        field: `tiers[${i}].benefits`,
        code: 'duplicate_items',
        detail: 'lists a benefit twice',
      });
  });
  validateEarning(program.earning, errors);
  if (errors.length > 0) throw validationFailed(errors);
  return program;
}
