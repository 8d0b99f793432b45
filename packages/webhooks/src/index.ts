export {
  EVENT_TYPES,
  CUSTOMER_EVENT_TYPES,
  OPERATIONAL_EVENT_TYPES,
  DISABLE_REASON_CODES,
  TIER_NAMES,
  QUALIFICATION_METRICS,
  DISCOUNT_TYPES,
  REDEMPTION_METHODS,
  COUPON_PLATFORMS,
  CUSTOMER_FIELDS,
  EARNING_PLATFORMS,
  BONUS_TYPES,
  isEventType,
  isOperationalEventType,
  isOperationalEvent,
} from './events.js';
export { EVENT_SCHEMAS, canonicalEvent, serializeEvent, formatTimestamp } from './event-schemas.js';
export type {
  EventType,
  CustomerEventType,
  OperationalEventType,
  DisableReasonCode,
  TierName,
  QualificationMetric,
  DiscountType,
  RedemptionMethod,
  CouponPlatform,
  WelcomeReward,
  CustomerRegisteredEvent,
  TierUpgradedEvent,
  NextTierRequirements,
  CouponRedeemedEvent,
  CouponUsedEvent,
  CustomerUpdatedEvent,
  CustomerDeletedEvent,
  CustomerField,
  MarketingOptIn,
  PointsEarnedEvent,
  EarnedBonus,
  NextTierProgress,
  EarningPlatform,
  BonusType,
  EndpointDisabledEvent,
  EndpointEnabledEvent,
  DeliveryFailedEvent,
  EndpointSummary,
  DeliveryCounts,
  CustomerEvent,
  OperationalEvent,
  ZupyEvent,
} from './events.js';
export { WebhookVerificationError } from './errors.js';
export type { WebhookVerificationReason } from './errors.js';
export {
  SECRET_PREFIX,
  signZupySignature,
  signStandardWebhook,
  standardWebhooksKey,
  signatureHeaders,
} from './sign.js';
export type { RawBody, SignedHeadersInput } from './sign.js';
export { verifySignature, readHeader, DEFAULT_TOLERANCE_SECONDS } from './verify.js';
export type { VerifyOptions, VerifiedWebhook, HeaderBag } from './verify.js';
export { timingSafeEqual } from './timing-safe-equal.js';
export { generateSecret } from './generate-secret.js';
export { sampleEvent } from './samples.js';
export type { SampleOptions } from './samples.js';
export { parseEvent, parseJson } from './parse-event.js';
export { eventJsonSchema } from './json-schema.js';
export { createWebhookHandler, BODY_PARSED_MESSAGE } from './handler.js';
export type {
  WebhookHandler,
  WebhookHandlerOptions,
  WebhookHandlers,
  WebhookRequest,
  WebhookResponse,
  DeliveryContext,
} from './handler.js';
export { createMemoryIdempotencyStore } from './idempotency-store.js';
export type { IdempotencyStore, MemoryIdempotencyStore, MemoryStoreOptions } from './idempotency-store.js';
export { SchemaError } from './schema.js';
export type { Schema, Infer, JsonSchema } from './schema.js';
