import { EVENT_TYPES, isEventType } from '@zupy/webhooks';
import { Option, type Command } from 'commander';
import { systemResolver } from '../delivery/address-guard.js';
import { createWebhookSender } from '../delivery/webhook-sender.js';
import { invalidField } from '../errors.js';
import { buildSampleRequest } from './sample-request.js';

const collect = (value: string, previous: string[]): string[] => [...previous, value];

export function registerTriggerCommand(program: Command): void {
  program
    .command('trigger')
    .description('Send a signed sample event to a URL, with every header Zupy sends')
    .argument('<event>', `the event type: ${EVENT_TYPES.join(', ')}`)
    .requiredOption('--url <url>', 'where to POST it')
    .requiredOption('--secret <secret>', 'the secret to sign with, whsec_…')
    .option('--set <path=value>', 'override a field, e.g. customer.tier=gold (repeatable)', collect, [])
    .option('--company <id>', 'the company_id in the payload', 'comp_bella_vista')
    .addOption(new Option('--timeout <seconds>', 'how long to wait for an answer').default('10'))
    .option('--json', 'print {status, body, request} as JSON')
    .addHelpText(
      'after',
      `
Exit code 0 when the receiver answers 2xx, 1 otherwise.

Examples:
  $ zupy trigger customer.registered --url http://127.0.0.1:4000/ --secret whsec_…
  $ zupy trigger tier.upgraded --url http://127.0.0.1:4000/ --secret whsec_… --set tier_change.new_tier=gold --set customer.tier=gold
  $ zupy trigger endpoint.disabled --url http://127.0.0.1:4000/ --secret whsec_… --set reason.code=gone --set next_probe_at=null
`,
    )
    .action(
      async (
        type: string,
        options: {
          url: string;
          secret: string;
          set: string[];
          company: string;
          timeout: string;
          json?: boolean;
        },
      ) => {
        if (!isEventType(type)) throw invalidField('event', `must be one of ${EVENT_TYPES.join(', ')}`);
        const sample = buildSampleRequest(type, {
          companyId: options.company,
          set: options.set,
          secrets: [options.secret],
          now: new Date(),
        });
        // The delivery engine's own sender: same timeout, no redirects, 4 KB answer excerpt. A developer
        // tool sends where it is told, local addresses included.
        const sender = createWebhookSender({ allowPrivateNetwork: true, resolve: systemResolver });
        const answer = await sender.send({
          url: options.url,
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
            `${type} → ${options.url}\n` +
              `  event ${sample.headers['x-zupy-event-id']}  delivery ${sample.headers['x-zupy-delivery']}\n` +
              (error ? `✗ no answer: ${error}\n` : `${ok ? '✓' : '✗'} ${status} ${body}\n`),
          );
        }
        process.exitCode = ok ? 0 : 1;
      },
    );
}
