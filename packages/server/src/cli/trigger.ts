import { EVENT_TYPES, isEventType } from '@zupy/webhooks';
import { Option, type Command } from 'commander';
import { systemResolver } from '../delivery/address-guard.js';
import { createWebhookSender } from '../delivery/webhook-sender.js';
import { invalidField } from '../errors.js';
import { buildSampleRequest } from './sample-request.js';
import { DEFAULT_API_URL } from './endpoint-access.js';
import { withEndpoints } from './endpoint.js';

const collect = (value: string, previous: string[]): string[] => [...previous, value];

export function registerTriggerCommand(program: Command): void {
  program
    .command('trigger')
    .description(
      'Send a signed sample event: through the real pipeline to an endpoint (a logged test delivery), or straight to a URL',
    )
    .argument('<event>', `the event type: ${EVENT_TYPES.join(', ')}`)
    .option(
      '--endpoint <id>',
      'send to this endpoint (ep_…) through the delivery pipeline, signed with its secret',
    )
    .option('--url <url>', 'or POST it straight to this URL …')
    .option('--secret <secret>', '… signed with this secret, whsec_…')
    .option(
      '--set <path=value>',
      'with --url: override a field, e.g. customer.tier=gold (repeatable)',
      collect,
      [],
    )
    .option(
      '--company <id>',
      "with --endpoint: the endpoint's company in the local data dir; with --url: the company_id in the payload (default comp_bella_vista)",
    )
    .addOption(
      new Option('--api-key <key>', "with --endpoint: reach it through a running server's API").env(
        'ZUPY_API_KEY',
      ),
    )
    .addOption(new Option('--api-url <url>', 'that server').env('ZUPY_API_URL').default(DEFAULT_API_URL))
    .addOption(new Option('--timeout <seconds>', 'how long to wait for an answer').default('10'))
    .option('--json', 'print {status, body, request} as JSON')
    .addHelpText(
      'after',
      `
Exit code 0 when the receiver answers 2xx, 1 otherwise. With --endpoint the send is logged in the
endpoint's delivery log (X-Zupy-Test: true) and touches no customer.

Examples:
  $ zupy trigger customer.registered --endpoint ep_…
  $ zupy trigger tier.upgraded --endpoint ep_… --api-key zupy_pk_… --api-url http://127.0.0.1:8080
  $ zupy trigger customer.registered --url http://127.0.0.1:4000/ --secret whsec_…
  $ zupy trigger tier.upgraded --url http://127.0.0.1:4000/ --secret whsec_… --set tier_change.new_tier=gold --set customer.tier=gold
  $ zupy trigger endpoint.disabled --url http://127.0.0.1:4000/ --secret whsec_… --set reason.code=gone --set next_probe_at=null
`,
    )
    .action(
      async (
        type: string,
        options: {
          endpoint?: string;
          url?: string;
          secret?: string;
          set: string[];
          company?: string;
          apiKey?: string;
          apiUrl: string;
          timeout: string;
          json?: boolean;
        },
      ) => {
        if (!isEventType(type))
          throw invalidField('event', 'option_invalid', `must be one of ${EVENT_TYPES.join(', ')}`);
        if ((options.endpoint === undefined) === (options.url === undefined))
          throw invalidField(
            '--endpoint',
            'option_invalid',
            'give either --endpoint ep_… or --url (with --secret)',
          );
        if (options.endpoint !== undefined) {
          if (options.secret !== undefined || options.set.length > 0)
            throw invalidField(
              '--endpoint',
              'option_invalid',
              'sends the documented sample with the endpoint’s own secret: --secret and --set go with --url',
            );
          const endpointId = options.endpoint;
          const result = await withEndpoints(options, (access) => access.test(endpointId, type));
          if (options.json) {
            process.stdout.write(
              JSON.stringify({
                ok: result.success,
                status: result.status_code,
                body: result.response.body ?? '',
                error: result.error,
                delivery_id: result.delivery_id,
                request: result.request,
              }) + '\n',
            );
          } else {
            process.stdout.write(
              `${type} → ${endpointId} (${result.request.url})\n` +
                `  delivery ${result.delivery_id}, in the endpoint's log\n` +
                (result.status_code === null
                  ? `✗ no answer: ${result.error ?? ''}\n`
                  : `${result.success ? '✓' : '✗'} ${result.status_code} ${result.response.body ?? ''}\n`),
            );
          }
          process.exitCode = result.success ? 0 : 1;
          return;
        }
        if (options.secret === undefined)
          throw invalidField('--secret', 'option_invalid', 'is required with --url');
        const url = options.url!;
        const sample = buildSampleRequest(type, {
          companyId: options.company ?? 'comp_bella_vista',
          set: options.set,
          secrets: [options.secret],
          now: new Date(),
        });
        // The delivery engine's own sender: same timeout, no redirects, 4 KB answer excerpt. A developer
        // tool sends where it is told, local addresses included.
        const sender = createWebhookSender({ allowPrivateNetwork: true, resolve: systemResolver });
        const answer = await sender.send({
          url,
          headers: sample.headers,
          body: sample.body,
          timeoutMs: Number(options.timeout) * 1000,
        });
        await sender.close();
        const { status, error } = answer;
        const body = answer.body ?? '';
        const ok = status !== null && status >= 200 && status < 300;
        if (options.json) {
          process.stdout.write(
            JSON.stringify({
              ok,
              status,
              body,
              error,
              request: { headers: sample.headers, body: sample.body },
            }) + '\n',
          );
        } else {
          process.stdout.write(
            `${type} → ${url}\n` +
              `  event ${sample.headers['x-zupy-event-id']}  delivery ${sample.headers['x-zupy-delivery']}\n` +
              (error ? `✗ no answer: ${error}\n` : `${ok ? '✓' : '✗'} ${status} ${body}\n`),
          );
        }
        process.exitCode = ok ? 0 : 1;
      },
    );
}
