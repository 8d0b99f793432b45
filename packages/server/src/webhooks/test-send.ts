import { Type, type Static } from 'typebox';
import type { EventType } from '@zupy/webhooks';
import { sendSample } from '../delivery/send-sample.js';
import type { DeliveryContext } from '../delivery/delivery-context.js';
import { findEndpoint } from './endpoint-store.js';
import { AttemptErrorCodeSchema, AttemptErrorParamsSchema } from '../delivery/attempt-error-schema.js';

/** A test send's outcome, with the exact request sent (the admin panel's "Send test event"). */
export const TestSendSchema = Type.Object({
  success: Type.Boolean(),
  status_code: Type.Union([Type.Integer(), Type.Null()]),
  error: Type.Union([Type.String(), Type.Null()], {
    description: 'Why it failed, in English; null on success',
  }),
  error_code: Type.Union([Type.Literal('not_2xx'), AttemptErrorCodeSchema], {
    description:
      'Why it failed, as a stable code: `not_2xx` (the receiver answered, but not 2xx: `status_code`), or why no answer came (an attempt’s `error_code`); null on success',
  }),
  error_params: AttemptErrorParamsSchema,
  delivery_id: Type.String(),
  request: Type.Object({
    url: Type.String(),
    headers: Type.Record(Type.String(), Type.String()),
    body: Type.String(),
  }),
  response: Type.Object({
    status: Type.Union([Type.Integer(), Type.Null()]),
    body: Type.Union([Type.String(), Type.Null()]),
    duration_ms: Type.Integer(),
  }),
});
export type TestSendResult = Static<typeof TestSendSchema>;

/**
 * Sends the documentation's sample of `type`, with this company's id, signed with the endpoint's real
 * secret and marked `X-Zupy-Test: true`, synchronously. It is logged as a delivery like any other and
 * touches no customer or point. A test send is tried once: no retries.
 */
export async function sendTestEvent(
  ctx: DeliveryContext,
  companyId: string,
  endpointId: string,
  type: EventType,
): Promise<TestSendResult> {
  const endpoint = await findEndpoint(ctx.db, companyId, endpointId);
  const { deliveryId, body, report } = await sendSample(ctx, endpoint, type, 'test');
  const success = report.result.status === 'succeeded';
  const answered = report.response.errorCode === null;
  return {
    success,
    status_code: report.response.status,
    error:
      report.response.error ?? (success ? null : `the receiver answered ${report.response.status}, not 2xx`),
    error_code: success ? null : answered ? 'not_2xx' : report.response.errorCode,
    error_params: success
      ? null
      : answered
        ? { status: report.response.status ?? 0 }
        : report.response.errorParams,
    delivery_id: deliveryId,
    request: { url: endpoint.url, headers: report.requestHeaders, body },
    response: {
      status: report.response.status,
      body: report.response.body,
      duration_ms: report.response.durationMs,
    },
  };
}
