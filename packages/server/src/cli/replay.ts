import type { Command } from 'commander';
import { loadConfig, parseDuration } from '../config.js';
import { assertReplayable, findReplayable, scheduleReplay } from '../delivery/replay-deliveries.js';
import { invalidField } from '../errors.js';
import { startRuntime } from '../app/runtime.js';
import { endpointSubject, withCliAudit } from '../audit/cli-audit.js';
import { createProgressBar } from './progress-bar.js';

/** An ISO 8601 date, or a duration meaning that long ago (`2h`, `3d`). */
export function parseTimeArgument(text: string, option: string, now: Date): Date {
  if (/^\d+(\.\d+)?(ms|s|m|h|d)$/.test(text)) return new Date(now.getTime() - parseDuration(text, option));
  const date = new Date(text);
  if (Number.isNaN(date.getTime()))
    throw invalidField(
      option,
      'option_invalid',
      `"${text}" is neither an ISO 8601 date nor a duration like 2h`,
    );
  return date;
}

const STATUSES = ['failed', 'succeeded', 'pending', 'held', 'discarded', 'any'] as const;

export function registerReplayCommand(program: Command): void {
  program
    .command('replay')
    .description("Redeliver an endpoint's deliveries from a time range")
    .requiredOption('--endpoint <id>', 'the endpoint, ep_…')
    .requiredOption('--since <time>', 'ISO 8601 date, or how long ago (2h, 3d)')
    .option('--until <time>', 'ISO 8601 date, or how long ago (default: now)')
    .option('--status <status>', `only deliveries in this status: ${STATUSES.join(', ')}`, 'any')
    .option('--rate <per-second>', 'at most this many deliveries per second', '10')
    .option('--dry-run', 'count what would be redelivered and show a sample; change nothing')
    .option('--json', 'print the result as JSON')
    .addHelpText(
      'after',
      `
Replayed deliveries get a fresh retry series and are sent by the running workers, paced at --rate.

Examples:
  $ zupy replay --endpoint ep_… --since 2026-11-27T00:00:00Z --status failed --dry-run
  $ zupy replay --endpoint ep_… --since 6h --rate 50
`,
    )
    .action(
      async (options: {
        endpoint: string;
        since: string;
        until?: string;
        status: string;
        rate: string;
        dryRun?: boolean;
        json?: boolean;
      }) => {
        const now = new Date();
        if (!(STATUSES as readonly string[]).includes(options.status))
          throw invalidField('--status', 'option_invalid', `must be one of ${STATUSES.join(', ')}`);
        const rate = Number(options.rate);
        if (!(rate > 0 && rate <= 100_000))
          throw invalidField(
            '--rate',
            'option_invalid',
            'must be a number of deliveries per second from 1 to 100000',
          );
        const runtime = await startRuntime(loadConfig());
        try {
          const candidates = await findReplayable(runtime.ctx.db, {
            endpointId: options.endpoint,
            since: parseTimeArgument(options.since, '--since', now),
            until: options.until ? parseTimeArgument(options.until, '--until', now) : undefined,
            status: options.status as (typeof STATUSES)[number],
          });
          const sample = candidates.slice(0, 5);
          if (options.dryRun) {
            if (options.json)
              process.stdout.write(
                JSON.stringify({ dry_run: true, count: candidates.length, sample }) + '\n',
              );
            else {
              process.stdout.write(
                `Would redeliver ${candidates.length} deliveries of ${options.endpoint}.\n`,
              );
              for (const c of sample)
                process.stdout.write(`  ${c.id}  ${c.event_type}  ${c.status}  ${c.created_at}\n`);
            }
            return;
          }
          await assertReplayable(runtime.ctx.db, options.endpoint);
          const bar = options.json ? undefined : createProgressBar('Scheduling', candidates.length);
          await withCliAudit(runtime.ctx.db, 'replay', endpointSubject(options.endpoint), () =>
            scheduleReplay(
              runtime.ctx.db,
              candidates.map((c) => c.id),
              { now, ratePerSecond: rate, ...(bar ? { onProgress: (n: number) => bar.update(n) } : {}) },
            ),
          );
          bar?.finish();
          const seconds = Math.ceil(candidates.length / rate);
          if (options.json)
            process.stdout.write(
              JSON.stringify({ dry_run: false, count: candidates.length, seconds }) + '\n',
            );
          else
            process.stdout.write(
              `Scheduled ${candidates.length} deliveries at ≤ ${rate}/s (about ${seconds} s); the workers send them.\n`,
            );
        } finally {
          await runtime.close();
        }
      },
    );
}
