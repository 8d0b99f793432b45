import { signatureHeaders } from '@zupy/webhooks';

export interface DeliveryHeadersInput {
  eventId: string;
  eventType: string;
  deliveryId: string;
  attempt: number;
  /** In signing order (`endpointSecrets`): the first signs `X-Zupy-Signature`, each one `webhook-signature`. */
  secrets: readonly string[];
  body: string;
  now: Date;
  isTest: boolean;
  userAgent: string;
  /** The event's number among its member's events; no header when it is not about a member. */
  sequence?: number | null | undefined;
}

/** Every header of one attempt (CONTRACT §1). The signatures come from @zupy/webhooks, the one signer. */
export function deliveryHeaders(input: DeliveryHeadersInput): Record<string, string> {
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    'user-agent': input.userAgent,
    'x-zupy-event': input.eventType,
    'x-zupy-event-id': input.eventId,
    'x-zupy-delivery': input.deliveryId,
    'x-zupy-attempt': String(input.attempt),
    ...signatureHeaders({
      secrets: input.secrets,
      eventId: input.eventId,
      timestamp: Math.floor(input.now.getTime() / 1000),
      body: input.body,
    }),
  };
  if (input.sequence != null) headers['x-zupy-sequence'] = String(input.sequence);
  if (input.isTest) headers['x-zupy-test'] = 'true';
  return headers;
}
