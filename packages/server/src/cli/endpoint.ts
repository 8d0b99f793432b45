import { EVENT_TYPES, isEventType } from '@zupy/webhooks';
import { Option, type Command } from 'commander';
import { invalidField } from '../errors.js';
import {
  DEFAULT_API_URL,
  openEndpointAccess,
  type AccessOptions,
  type EndpointAccess,
} from './endpoint-access.js';
import { printList } from './print-table.js';

/** The options every command that reaches endpoints takes: local data dir or a server's API. */
export function addAccessOptions(command: Command): Command {
  return command
    .option('--company <id>', 'the company, in the local data dir (default: the only company there is)')
    .addOption(
      new Option(
        '--api-key <key>',
        "use a running server's API with this key instead of the local data dir",
      ).env('ZUPY_API_KEY'),
    )
    .addOption(
      new Option('--api-url <url>', 'that server (with --api-key)')
        .env('ZUPY_API_URL')
        .default(DEFAULT_API_URL),
    );
}

/** Runs `work` with the endpoints reached as the options say, and closes what it opened. */
export async function withEndpoints<T>(
  options: AccessOptions,
  work: (access: EndpointAccess) => Promise<T>,
): Promise<T> {
  const access = await openEndpointAccess(options);
  try {
    return await work(access);
  } finally {
    await access.close();
  }
}

/** `--events a,b`: known event types, in the order given. */
export function parseEventList(text: string | undefined): string[] | undefined {
  if (text === undefined) return undefined;
  const events = text
    .split(',')
    .map((e) => e.trim())
    .filter(Boolean);
  const unknown = events.find((e) => !isEventType(e));
  if (unknown !== undefined)
    throw invalidField('--events', 'option_invalid', `"${unknown}" is not one of ${EVENT_TYPES.join(', ')}`);
  return events;
}

type Options = AccessOptions & { json?: boolean };

export function registerEndpointCommands(program: Command): void {
  const endpoint = program
    .command('endpoint')
    .description('Manage webhook endpoints (in the local data dir, or through a server with --api-key)');

  addAccessOptions(endpoint.command('list').description("List the company's webhook endpoints"))
    .option('--json', 'print a JSON array of endpoints, as the API shows them')
    .action((options: Options) =>
      withEndpoints(options, async (access) =>
        printList(
          await access.list(),
          {
            json: options.json,
            empty: `No webhook endpoints for ${access.where}: zupy endpoint create --url …`,
          },
          ['ID', 'STATE', 'EVENTS', 'URL'],
          (e) => [
            e.id,
            e.enabled ? 'enabled' : `disabled (${e.disabled_code ?? '?'})`,
            e.events.length === 0 ? 'all customer events' : e.events.join(','),
            e.url,
          ],
        ),
      ),
    );

  addAccessOptions(
    endpoint
      .command('create')
      .description('Register a webhook endpoint and print its signing secret')
      .requiredOption('--url <url>', 'where the deliveries go')
      .option(
        '--events <types>',
        `comma-separated event types (default: every customer event): ${EVENT_TYPES.join(', ')}`,
      )
      .option('--description <text>', 'what it is for')
      .addOption(new Option('--ordering <mode>', 'per-member order, or none').choices(['member', 'none'])),
  )
    .option('--json', 'print the endpoint with its secret as JSON')
    .addHelpText(
      'after',
      '\nExamples:\n  $ zupy endpoint create --url https://crm.example.com/webhooks/zupy\n  $ zupy endpoint create --url https://crm.example.com/zupy --events customer.registered,tier.upgraded --json\n',
    )
    .action(
      (
        options: Options & {
          url: string;
          events?: string;
          description?: string;
          ordering?: 'member' | 'none';
        },
      ) =>
        withEndpoints(options, async (access) => {
          const created = await access.create({
            url: options.url,
            events: parseEventList(options.events),
            description: options.description,
            ordering: options.ordering,
          });
          if (options.json) process.stdout.write(JSON.stringify(created) + '\n');
          else
            process.stdout.write(
              `Created ${created.id} → ${created.url}\nSigning secret (also: zupy endpoint secret ${created.id}):\n  ${created.secret}\n`,
            );
        }),
    );

  addAccessOptions(
    endpoint
      .command('delete')
      .description('Delete a webhook endpoint (its pending deliveries end as failed; its log stays)')
      .argument('<id>', 'the endpoint, ep_…'),
  ).action((id: string, options: Options) =>
    withEndpoints(options, async (access) => {
      await access.remove(id);
      process.stdout.write(`Deleted ${id}\n`);
    }),
  );

  addAccessOptions(
    endpoint
      .command('secret')
      .description("Print an endpoint's current signing secret")
      .argument('<id>', 'the endpoint, ep_…'),
  )
    .option('--json', 'print {"id", "secret"}')
    .action((id: string, options: Options) =>
      withEndpoints(options, async (access) => {
        const secret = await access.secret(id);
        process.stdout.write(options.json ? JSON.stringify({ id, secret }) + '\n' : `${secret}\n`);
      }),
    );
}
