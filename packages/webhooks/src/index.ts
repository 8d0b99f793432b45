export {
  EVENT_TYPES,
  TIER_NAMES,
  QUALIFICATION_METRICS,
  canonicalEvent,
  serializeEvent,
  formatTimestamp,
} from './events.js';
export type {
  EventType,
  TierName,
  QualificationMetric,
  WelcomeReward,
  CustomerRegisteredEvent,
  TierUpgradedEvent,
  NextTierRequirements,
  ZupyEvent,
} from './events.js';
