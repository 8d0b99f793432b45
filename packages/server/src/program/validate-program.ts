import { ZupyError, type FieldError } from '../errors.js';
import type { Program } from './program.js';

/** Rules a JSON schema cannot say: unique tier names, ascending thresholds, points when rewarding points. */
export function validateProgram(program: Program): Program {
  const errors: FieldError[] = [];
  const seen = new Set<string>();
  program.tiers.forEach((tier, i) => {
    if (seen.has(tier.name))
      errors.push({ field: `tiers[${i}].name`, detail: `tier "${tier.name}" is listed twice` });
    seen.add(tier.name);
    const previous = program.tiers[i - 1];
    if (previous !== undefined && tier.threshold <= previous.threshold) {
      errors.push({
        field: `tiers[${i}].threshold`,
        detail: `must be greater than the threshold of "${previous.name}" (${previous.threshold}); list tiers from lowest to highest`,
      });
    }
  });
  if (program.tiers_enabled && program.tiers.length === 0) {
    errors.push({ field: 'tiers', detail: 'list at least one tier, or set tiers_enabled to false' });
  }
  const reward = program.welcome_reward;
  if (reward.type === 'points' && !(Number.isInteger(reward.points) && reward.points >= 1)) {
    errors.push({
      field: 'welcome_reward.points',
      detail: 'must be an integer of at least 1 when type is "points"',
    });
  }
  if (errors.length > 0) {
    throw new ZupyError('ZUPY_VALIDATION_FAILED', errors.map((e) => `${e.field}: ${e.detail}`).join('; '), {
      fieldErrors: errors,
    });
  }
  return program;
}
