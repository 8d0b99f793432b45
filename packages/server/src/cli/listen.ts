import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebhookVerificationError, readHeader, verifySignature } from '@zupy/webhooks';
import { readRawBody } from '@zupy/webhooks/node';
import type { Command } from 'commander';
import { request } from 'undici';
import { openEndpointAccess, type AccessOptions, type EndpointAccess } from './endpoint-access.js';
import { addAccessOptions, parseEventList } from './endpoint.js';

interface ListenOptions extends AccessOptions {
  port: string;
  host: string;
  secret?: string;
  register: boolean;
  events?: string;
  forwardTo?: string;
  json?: boolean;
}

/** The temporary endpoint `zupy listen` registered for itself, removed when it stops. */
interface Registration {
  access: EndpointAccess;
  id: string;
}

async function register(
  options: ListenOptions,
  url: string,
): Promise<{ registration: Registration; secret: string }> {
  const events = parseEventList(options.events);
  const access = await openEndpointAccess(options);
  try {
    const created = await access.create({
      url,
      events,
      description: 'zupy listen (temporary: removed when it stops)',
    });
    process.stderr.write(
      `Registered a temporary endpoint ${created.id} for ${access.where} → ${url}\n` +
        `Signing secret (this session only): ${created.secret}\n`,
    );
    return { registration: { access, id: created.id }, secret: created.secret };
  } catch (error) {
    await access.close();
    throw error;
  }
}

async function unregister(registration: Registration): Promise<void> {
  try {
    await registration.access.remove(registration.id);
    process.stderr.write(`Removed the temporary endpoint ${registration.id}\n`);
  } catch (error) {
    process.stderr.write(`zupy: could not remove ${registration.id}: ${(error as Error).message}\n`);
  } finally {
    await registration.access.close();
  }
}

/** Headers a forward passes on: everything but hop-by-hop ones. */
function forwardHeaders(headers: http.IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined || ['host', 'connection', 'content-length', 'transfer-encoding'].includes(name))
      continue;
    out[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}

/**
 * When the webhook-* headers are missing, whether X-Zupy-Signature alone would have matched: tells a
 * stripped-headers problem (fix the proxy) from a wrong secret.
 */
function legacyNote(
  body: Buffer,
  headers: http.IncomingHttpHeaders,
  secret: string,
  error: WebhookVerificationError,
): string {
  if (error.reason !== 'missing_header' || readHeader(headers, 'x-zupy-signature') === undefined) return '';
  try {
    verifySignature({ body, headers, secret, allowReplayableZupySignature: true });
    return ' [X-Zupy-Signature alone matches this secret: the body and secret are right, the webhook-* headers were lost on the way]';
  } catch (legacy) {
    return ` [X-Zupy-Signature does not match either: ${(legacy as Error).message}]`;
  }
}

export function registerListenCommand(program: Command): void {
  addAccessOptions(
    program
      .command('listen')
      .description(
        'A local webhook receiver: verifies and pretty-prints every delivery, optionally forwards it',
      )
      .option('--port <port>', 'port to listen on', '4000')
      .option('--host <host>', 'address to listen on', '127.0.0.1')
      .option('--secret <secret>', 'verify with this secret (whsec_…) an endpoint you registered yourself')
      .option('--no-register', 'register no temporary endpoint (and, without --secret, verify nothing)')
      .option(
        '--events <types>',
        'the temporary endpoint receives these event types (default: every customer event)',
      ),
  )
    .option('--forward-to <url>', 'POST each delivery on to this URL, with the same body and headers')
    .option('--json', 'print one JSON line per delivery')
    .addHelpText(
      'after',
      `
Without --secret it registers a temporary endpoint pointing at itself — in the local data dir, or
through a running server's API with --api-key — prints its signing secret, verifies every delivery
with it, and deletes the endpoint when it stops (Ctrl-C, SIGTERM). The server delivers to this
local address only when it runs with ZUPY_ALLOW_PRIVATE_NETWORK=1.

It answers 401 when a signature does not verify, the forward target's answer when forwarding,
and 200 {received: true} otherwise. Like @zupy/webhooks, it requires the webhook-* headers (their
timestamp is the replay protection): a delivery with X-Zupy-Signature alone is rejected, saying
whether that signature matched.

Examples:
  $ zupy listen --forward-to http://127.0.0.1:3000/webhooks/zupy
  $ zupy listen --api-key zupy_pk_… --api-url http://127.0.0.1:8080 --events customer.registered
  $ zupy listen --port 4000 --secret whsec_…
  $ zupy listen --secret whsec_… --forward-to http://127.0.0.1:3000/webhooks/zupy
`,
    )
    .action(async (options: ListenOptions) => {
      let secret = options.secret;
      const server = http.createServer((req, res) => {
        void readRawBody(req).then(
          async ({ rawBody }) => {
            const body = Buffer.from(rawBody ?? '');
            const key = secret;
            let verdict = key ? 'verified' : 'not checked (no --secret)';
            let verified = true;
            if (key) {
              try {
                verdict = `verified (${verifySignature({ body, headers: req.headers, secret: key }).scheme})`;
              } catch (error) {
                if (!(error instanceof WebhookVerificationError)) throw error;
                verified = false;
                verdict = `REJECTED ${error.reason}: ${error.message}${legacyNote(body, req.headers, key, error)}`;
              }
            }
            let forward: { status: number | null; body: string; error: string | null } | undefined;
            if (verified && options.forwardTo) {
              try {
                const answer = await request(options.forwardTo, {
                  method: 'POST',
                  headers: forwardHeaders(req.headers),
                  body,
                });
                forward = {
                  status: answer.statusCode,
                  body: (await answer.body.text()).slice(0, 4096),
                  error: null,
                };
              } catch (error) {
                forward = { status: null, body: '', error: (error as Error).message };
              }
            }
            const text = body.toString('utf8');
            let parsed: unknown = text;
            try {
              parsed = JSON.parse(text);
            } catch {
              // Shown as text.
            }
            const get = (name: string) => readHeader(req.headers, name) ?? null;
            if (options.json) {
              process.stdout.write(
                JSON.stringify({
                  received_at: new Date().toISOString(),
                  event: get('x-zupy-event'),
                  event_id: get('x-zupy-event-id'),
                  delivery_id: get('x-zupy-delivery'),
                  attempt: get('x-zupy-attempt'),
                  test: get('x-zupy-test') === 'true',
                  verified,
                  verdict,
                  headers: req.headers,
                  body: parsed,
                  forward: forward ?? null,
                }) + '\n',
              );
            } else {
              process.stdout.write(
                `\n${verified ? '✓' : '✗'} ${new Date().toISOString()}  ${get('x-zupy-event') ?? '(no X-Zupy-Event)'}  ${get('x-zupy-event-id') ?? ''}  ${get('x-zupy-delivery') ?? ''}  attempt ${get('x-zupy-attempt') ?? '?'}${get('x-zupy-test') === 'true' ? '  [test]' : ''}\n` +
                  `  signature: ${verdict}\n` +
                  JSON.stringify(parsed, null, 2)
                    .split('\n')
                    .map((l) => `  ${l}`)
                    .join('\n') +
                  '\n' +
                  (forward
                    ? `  forwarded to ${options.forwardTo} → ${forward.status ?? forward.error}\n`
                    : ''),
              );
            }
            if (!verified) {
              res
                .writeHead(401, { 'content-type': 'application/json' })
                .end(JSON.stringify({ received: false, error: verdict }));
            } else if (forward) {
              res.writeHead(forward.status ?? 502, { 'content-type': 'application/json' }).end(forward.body);
            } else {
              res
                .writeHead(200, { 'content-type': 'application/json' })
                .end(JSON.stringify({ received: true, processed_at: new Date().toISOString() }));
            }
          },
          (error: Error) => {
            res
              .writeHead(413, { 'content-type': 'application/json' })
              .end(JSON.stringify({ received: false, error: error.message }));
          },
        );
      });
      await new Promise<void>((resolve) => server.listen(Number(options.port), options.host, resolve));
      const { port } = server.address() as AddressInfo;
      const url = `http://${options.host.includes(':') ? `[${options.host}]` : options.host}:${port}/`;
      let registration: Registration | undefined;
      if (secret === undefined && options.register) {
        try {
          ({ registration, secret } = await register(options, url));
        } catch (error) {
          server.close();
          throw error;
        }
      }
      process.stderr.write(`Listening for Zupy webhooks on ${url} (Ctrl-C to stop)\n`);
      const stop = () => {
        void (registration ? unregister(registration) : Promise.resolve()).finally(() =>
          server.close(() => process.exit(0)),
        );
      };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
}
