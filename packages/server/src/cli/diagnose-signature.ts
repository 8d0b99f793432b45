import { createHmac } from 'node:crypto';
import { SECRET_PREFIX, isEventType, serializeEvent, timingSafeEqual, type ZupyEvent } from '@zupy/webhooks';

export interface DiagnoseInput {
  body: Buffer;
  /** An `X-Zupy-Signature` (`sha256=…`) or a `webhook-signature` (`v1,…`) value. */
  signature: string;
  secret: string;
  /** `webhook-id` and `webhook-timestamp`, needed for a `webhook-signature`. */
  id?: string | undefined;
  timestamp?: number | undefined;
  /** The `X-Zupy-Event` header, when known. */
  eventHeader?: string | undefined;
  now: number;
  toleranceSeconds: number;
}

export interface Diagnosis {
  ok: boolean;
  scheme: 'zupy-signature' | 'standard-webhooks';
  /** Why it does not verify, in words; or what else to know when it does. */
  findings: string[];
}

type Key = { bytes: Buffer; note: string | null };

/** Said of every matching X-Zupy-Signature: it is right, and still not enough for @zupy/webhooks. */
export const REPLAYABLE_NOTE =
  'X-Zupy-Signature has no timestamp, so it also matches a replay of this delivery at any later time: ' +
  '@zupy/webhooks requires the webhook-* headers too (and refuses a delivery without them unless ' +
  'allowReplayableZupySignature: true); check webhook-signature with --id and --timestamp';

function hmac(key: Buffer, parts: (string | Buffer)[], encoding: 'hex' | 'base64'): string {
  const mac = createHmac('sha256', key);
  for (const part of parts) mac.update(part);
  return mac.digest(encoding);
}

/** Bodies the sender may have signed, when the file holds something slightly different. */
function bodyVariants(body: Buffer): { bytes: Buffer; note: string }[] {
  const text = body.toString('utf8');
  const variants: { bytes: Buffer; note: string }[] = [];
  if (/\r?\n$/.test(text)) {
    variants.push({
      bytes: Buffer.from(text.replace(/\r?\n$/, ''), 'utf8'),
      note: 'the body file ends with a newline that was not in the signed body (editors and `echo` add one): verify the exact bytes received',
    });
  } else {
    variants.push({
      bytes: Buffer.from(text + '\n', 'utf8'),
      note: 'the signed body ended with a newline that the body file lacks',
    });
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return variants;
  }
  const reserialized = /\\u[0-9a-fA-F]{4}/.test(text)
    ? 'non-ASCII characters in the body file are escaped (\\u00e3): Zupy sends them as UTF-8, so the body was re-serialized; verify the raw bytes received'
    : 'the body was re-serialized (whitespace, key order or escaping differ from the bytes Zupy sent): verify the raw request body before parsing it';
  variants.push({ bytes: Buffer.from(JSON.stringify(parsed), 'utf8'), note: reserialized });
  const type = (parsed as { event?: unknown } | null)?.event;
  if (isEventType(type)) {
    try {
      variants.push({ bytes: Buffer.from(serializeEvent(parsed as ZupyEvent), 'utf8'), note: reserialized });
    } catch {
      // Not a valid event: the compact form above is the only re-serialization to try.
    }
  }
  return variants;
}

/**
 * Says whether a signature matches a body and secret and, when it does not, what most likely went
 * wrong, by trying the mistakes integrators make: a trailing newline, a re-serialized body, escaped
 * unicode, the secret without `whsec_` or as decoded bytes, a header from another delivery, a stale
 * timestamp.
 */
export function diagnoseSignature(input: DiagnoseInput): Diagnosis {
  const standard = !input.signature.startsWith('sha256=');
  const scheme = standard ? 'standard-webhooks' : 'zupy-signature';
  const findings: string[] = [];
  if (standard && (input.id === undefined || input.timestamp === undefined)) {
    return {
      ok: false,
      scheme,
      findings: ['a webhook-signature needs --id (webhook-id) and --timestamp (webhook-timestamp)'],
    };
  }
  const presented = standard ? input.signature.split(' ').filter(Boolean) : [input.signature];
  const hasPrefix = input.secret.startsWith(SECRET_PREFIX);
  const encoded = hasPrefix ? input.secret.slice(SECRET_PREFIX.length) : input.secret;
  const decoded = Buffer.from(encoded, 'base64');
  const asText = (s: string) => Buffer.from(s, 'utf8');
  // The right key first, then the usual wrong ones, each with what it would mean.
  const keys: Key[] = standard
    ? [
        { bytes: decoded, note: null },
        {
          bytes: asText(input.secret),
          note: 'webhook-signature is keyed by the base64-DECODED part of the secret after whsec_, not by the secret string',
        },
      ]
    : [
        {
          bytes: asText(hasPrefix ? input.secret : SECRET_PREFIX + input.secret),
          note: hasPrefix
            ? null
            : 'the secret was given without its whsec_ prefix: X-Zupy-Signature is keyed by the whole string, whsec_ included',
        },
        {
          bytes: asText(encoded),
          note: 'the signature was made with the secret minus its whsec_ prefix: X-Zupy-Signature is keyed by the whole string, whsec_ included',
        },
        {
          bytes: decoded,
          note: 'the signature was made with the base64-decoded secret: X-Zupy-Signature is keyed by the secret string as UTF-8',
        },
      ];
  const sign = (key: Buffer, body: Buffer): string =>
    standard
      ? 'v1,' + hmac(key, [`${input.id}.${input.timestamp}.`, body], 'base64')
      : 'sha256=' + hmac(key, [body], 'hex');
  const matches = (key: Buffer, body: Buffer): boolean => {
    const expected = sign(key, body);
    return presented.some((p) => timingSafeEqual(p, expected));
  };

  for (const key of keys) {
    for (const body of [{ bytes: input.body, note: null as string | null }, ...bodyVariants(input.body)]) {
      if (!matches(key.bytes, body.bytes)) continue;
      if (key.note) findings.push(key.note);
      if (body.note) findings.push(body.note);
      const exact = key.note === null && body.note === null;
      if (exact && !standard) findings.push(REPLAYABLE_NOTE);
      if (exact && standard) {
        const age = input.now - input.timestamp!;
        if (Math.abs(age) > input.toleranceSeconds) {
          findings.push(
            `the signature matches, but webhook-timestamp is ${Math.abs(age)} s ${age > 0 ? 'old' : 'in the future'} (tolerance ${input.toleranceSeconds} s): a replayed request, or a clock out of sync`,
          );
          return { ok: false, scheme, findings };
        }
      }
      return { ok: exact, scheme, findings };
    }
  }
  let type: unknown;
  try {
    type = (JSON.parse(input.body.toString('utf8')) as { event?: unknown }).event;
  } catch {
    findings.push('the body file is not JSON: is it the request body?');
  }
  if (input.eventHeader !== undefined && type !== undefined && input.eventHeader !== type) {
    findings.push(
      `X-Zupy-Event says ${input.eventHeader} but the body is ${JSON.stringify(type)}: the header comes from another delivery`,
    );
  }
  findings.push(
    'no variant of this body and secret matches: the secret is wrong (another endpoint’s, or rotated), or the signature header belongs to another delivery or attempt',
  );
  return { ok: false, scheme, findings };
}
