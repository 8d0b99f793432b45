import fs from 'node:fs';
import { DEFAULT_TOLERANCE_SECONDS } from '@zupy/webhooks';
import type { Command } from 'commander';
import { diagnoseSignature } from './diagnose-signature.js';

export function registerVerifyCommand(program: Command): void {
  program
    .command('verify')
    .description('Check a webhook signature against a body and secret, and say why it does not match')
    .requiredOption('--secret <secret>', 'the endpoint secret, whsec_…')
    .requiredOption(
      '--signature <header>',
      'the X-Zupy-Signature (sha256=…) or webhook-signature (v1,…) value',
    )
    .requiredOption('--body-file <file>', 'the request body exactly as received')
    .option('--id <webhook-id>', 'the webhook-id header (for a webhook-signature)')
    .option('--timestamp <seconds>', 'the webhook-timestamp header (for a webhook-signature)')
    .option('--event <type>', 'the X-Zupy-Event header, to spot a header from another delivery')
    .option('--tolerance <seconds>', 'timestamp tolerance', String(DEFAULT_TOLERANCE_SECONDS))
    .option('--json', 'print {ok, scheme, findings}')
    .addHelpText(
      'after',
      `
Exit code 0 when the signature matches, 1 when it does not (with the likely reason).

Examples:
  $ zupy verify --secret whsec_… --signature "sha256=5257…" --body-file body.json
  $ zupy verify --secret whsec_… --signature "v1,K5oZ…" --id evt_… --timestamp 1756222200 --body-file body.json
`,
    )
    .action(
      (options: {
        secret: string;
        signature: string;
        bodyFile: string;
        id?: string;
        timestamp?: string;
        event?: string;
        tolerance: string;
        json?: boolean;
      }) => {
        const diagnosis = diagnoseSignature({
          body: fs.readFileSync(options.bodyFile),
          signature: options.signature.trim(),
          secret: options.secret.trim(),
          id: options.id,
          timestamp: options.timestamp !== undefined ? Number(options.timestamp) : undefined,
          eventHeader: options.event,
          now: Math.floor(Date.now() / 1000),
          toleranceSeconds: Number(options.tolerance),
        });
        if (options.json) {
          process.stdout.write(JSON.stringify(diagnosis) + '\n');
        } else {
          process.stdout.write(
            (diagnosis.ok
              ? `✓ the signature matches (${diagnosis.scheme})\n`
              : `✗ the signature does not match (${diagnosis.scheme})\n`) +
              diagnosis.findings.map((f) => `  - ${f}\n`).join(''),
          );
        }
        process.exitCode = diagnosis.ok ? 0 : 1;
      },
    );
}
