#!/usr/bin/env node
import { Command, CommanderError } from 'commander';
import { ConfigError, ZupyError } from '../errors.js';
import { VERSION } from '../version.js';
import { registerCompanyCommands } from './company.js';
import { registerEndpointCommands } from './endpoint.js';
import { registerImportCommand } from './import.js';
import { registerListenCommand } from './listen.js';
import { registerReplayCommand } from './replay.js';
import { registerTriggerCommand } from './trigger.js';
import { registerVerifyCommand } from './verify.js';
import { registerMigrateCommand } from './migrate.js';
import { registerServeCommand } from './serve.js';
import { describeStartupError } from './startup-errors.js';

const program = new Command()
  .name('zupy')
  .description('Zupy loyalty platform: API server, delivery worker and developer tools')
  .version(VERSION)
  .exitOverride();

registerServeCommand(program);
registerMigrateCommand(program);
registerCompanyCommands(program);
registerEndpointCommands(program);
registerListenCommand(program);
registerTriggerCommand(program);
registerVerifyCommand(program);
registerReplayCommand(program);
registerImportCommand(program);

try {
  await program.parseAsync(process.argv);
} catch (error) {
  if (error instanceof CommanderError) process.exit(error.exitCode);
  if (error instanceof ZupyError || error instanceof ConfigError) {
    process.stderr.write(`zupy: ${error.message}\n`);
    process.exit(error instanceof ConfigError ? 78 : 1);
  }
  const known = describeStartupError(error);
  if (known !== null) {
    process.stderr.write(`zupy: ${known}\n`);
    process.exit(1);
  }
  throw error;
}
