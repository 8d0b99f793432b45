/**
 * The admin panel declares the API's answers by hand (packages/admin/src/api.ts: its own tsconfig
 * cannot load the server's sources). This file holds them to the server's response schemas:
 * `npm run typecheck` (tsconfig.test.json) fails when a field is added, dropped or retyped on one
 * side only — as `updated_at` once was on endpoints. Nothing here runs.
 */
import type {
  AuditEntry,
  Customer,
  Delivery,
  DeliveryAttempt,
  DeliveryDetail,
  Endpoint,
  InboxEntry,
  Me,
  Overview,
  TestSend,
  Reward,
  Coupon,
  Redemption,
  Validation,
  EarningBonus,
} from '../../admin/src/api.js';
import type { EarningBonus as ServerEarningBonus } from '../src/program/program.js';
import type { Reward as RewardView } from '../src/rewards/reward.js';
import type { Coupon as CouponView } from '../src/coupons/coupon.js';
import type { RedemptionResult } from '../src/rewards/redeem-reward.js';
import type { ValidationResult } from '../src/coupons/validate-coupon.js';
import type { CustomerProfile } from '../src/customers/customer-profile.js';
import type { OverviewStats } from '../src/overview/overview-stats.js';
import type { TestSendResult } from '../src/webhooks/test-send.js';
import type { CompanySettings } from '../src/companies/company-settings.js';
import type {
  DeliveryAttemptResponse,
  DeliveryDetailResponse,
  DeliveryResponse,
} from '../src/delivery/delivery-routes.js';
import type { EndpointView } from '../src/webhooks/endpoint-store.js';
import type { AuditEntryView } from '../src/audit/list-audit-log.js';
import type { InboxEntry as ServerInboxEntry } from '../src/orders/partner-inbox.js';

/** True only when A and B are the same type (not merely assignable one way). */
type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
type Same<A, B> = Equal<A, B> extends true ? true : { panel: A; server: B };

export const endpointMatches: Same<Endpoint, EndpointView> = true;
export const deliveryMatches: Same<Delivery, DeliveryResponse> = true;
export const attemptMatches: Same<DeliveryAttempt, DeliveryAttemptResponse> = true;
export const deliveryDetailMatches: Same<DeliveryDetail, DeliveryDetailResponse> = true;
export const meMatches: Same<Me, CompanySettings> = true;
export const customerMatches: Same<Customer, CustomerProfile> = true;
export const testSendMatches: Same<TestSend, TestSendResult> = true;
export const overviewMatches: Same<Overview, OverviewStats> = true;
export const rewardMatches: Same<Reward, RewardView> = true;
export const couponMatches: Same<Coupon, CouponView> = true;
export const redemptionMatches: Same<Redemption, RedemptionResult> = true;
export const validationMatches: Same<Validation, ValidationResult> = true;
export const auditEntryMatches: Same<AuditEntry, AuditEntryView> = true;
export const inboxMatches: Same<InboxEntry, ServerInboxEntry> = true;
export const earningBonusMatches: Same<EarningBonus, ServerEarningBonus> = true;
