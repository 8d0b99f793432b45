import type { Kysely } from 'kysely';
import type { DialectName } from '../dialect.js';
import * as m0001 from './0001-initial.js';
import * as m0002 from './0002-webhooks.js';
import * as m0003 from './0003-claim-index.js';
import * as m0004 from './0004-worker-lock.js';
import * as m0005 from './0005-pending-indexes.js';
import * as m0006 from './0006-log-indexes.js';
import * as m0007 from './0007-delivery-edges.js';
import * as m0008 from './0008-owner-notifications.js';
import * as m0009 from './0009-storage-probe.js';
import * as m0010 from './0010-rewards-coupons.js';
import * as m0011 from './0011-orders-earning.js';
import * as m0012 from './0012-customer-data.js';
import * as m0013 from './0013-live-customer-index.js';
import * as m0014 from './0014-endpoint-flow.js';
import * as m0015 from './0015-idempotency-scope.js';
import * as m0016 from './0016-attempt-error-codes.js';
import * as m0017 from './0017-audit-pending.js';

export interface Migration {
  up(db: Kysely<unknown>, dialect: DialectName): Promise<void>;
}

/** Numbered migrations, applied in order; never edit one that has shipped, add the next. */
export const MIGRATIONS: Readonly<Record<string, Migration>> = {
  '0001-initial': m0001,
  '0002-webhooks': m0002,
  '0003-claim-index': m0003,
  '0004-worker-lock': m0004,
  '0005-pending-indexes': m0005,
  '0006-log-indexes': m0006,
  '0007-delivery-edges': m0007,
  '0008-owner-notifications': m0008,
  '0009-storage-probe': m0009,
  '0010-rewards-coupons': m0010,
  '0011-orders-earning': m0011,
  '0012-customer-data': m0012,
  '0013-live-customer-index': m0013,
  '0014-endpoint-flow': m0014,
  '0015-idempotency-scope': m0015,
  '0016-attempt-error-codes': m0016,
  '0017-audit-pending': m0017,
};
