import { sampleEvent, serializeEvent, type EventType, type ZupyEvent } from '@zupy/webhooks';
import { deliveryHeaders } from '../delivery/delivery-headers.js';
import { invalidField } from '../errors.js';
import { newId } from '../shared/random-chars.js';
import { VERSION } from '../version.js';

/** `customer.tier=gold` → sets that path; the value is read as JSON when it parses, else as text. */
export function applyOverride(target: Record<string, unknown>, assignment: string): void {
  const eq = assignment.indexOf('=');
  if (eq <= 0)
    throw invalidField('--set', 'option_invalid', `"${assignment}" must look like path.to.field=value`);
  const path = assignment.slice(0, eq).split('.');
  const text = assignment.slice(eq + 1);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    value = text;
  }
  let node = target;
  for (const key of path.slice(0, -1)) {
    const next = node[key];
    if (typeof next !== 'object' || next === null)
      throw invalidField('--set', 'option_invalid', `${path.join('.')}: ${key} is not an object`);
    node = next as Record<string, unknown>;
  }
  const last = path[path.length - 1]!;
  if (!(last in node))
    throw invalidField('--set', 'option_invalid', `${path.join('.')} is not a field of this event`);
  node[last] = value;
}

/** A sample event with overrides, checked against the contract, with every header of a test send. */
export function buildSampleRequest(
  type: EventType,
  options: { companyId?: string | undefined; set: readonly string[]; secrets: readonly string[]; now: Date },
): { body: string; headers: Record<string, string>; event: ZupyEvent } {
  const event = sampleEvent(type, {
    now: options.now,
    ...(options.companyId ? { companyId: options.companyId } : {}),
  });
  for (const assignment of options.set) applyOverride(event, assignment);
  let body: string;
  try {
    body = serializeEvent(event);
  } catch (error) {
    throw invalidField(
      '--set',
      'option_invalid',
      `the event no longer matches the contract: ${(error as Error).message}`,
    );
  }
  const headers = deliveryHeaders({
    eventId: newId('evt'),
    eventType: type,
    deliveryId: newId('dlv'),
    attempt: 1,
    secrets: options.secrets,
    body,
    now: options.now,
    isTest: true,
    userAgent: `Zupy-Webhook/${VERSION}`,
  });
  return { body, headers, event: JSON.parse(body) as ZupyEvent };
}
