/**
 * The operator and producer CLI: `npx aexy <command>` (or `npm run cli -- <command>`). Each command
 * lives in src/cli/commands/; this file assembles them and turns errors into one line and an exit code.
 */
import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { ConfigError } from '../config/index.js';
import { PayloadError } from '../errors/index.js';
import { registerEnqueue } from './commands/enqueue.js';
import { registerCareer } from './commands/career.js';
import { registerExport } from './commands/export.js';
import { registerGitHub } from './commands/github.js';
import { registerJobs } from './commands/jobs.js';
import { registerMigrate } from './commands/migrate.js';
import { registerReport } from './commands/report.js';
import { registerSecrets } from './commands/secrets.js';
import { registerSlack } from './commands/slack.js';
import { registerStatus } from './commands/status.js';
import { registerSync } from './commands/sync.js';

export function buildCli(): Command {
  const { version } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  const program = new Command('aexy')
    .description('Aexy Workers: enqueue jobs, migrate, inspect queues')
    .version(version, '-V, --version', 'print the version')
    .exitOverride();
  for (const register of [
    registerMigrate,
    registerEnqueue,
    registerSync,
    registerGitHub,
    registerExport,
    registerReport,
    registerCareer,
    registerSlack,
    registerSecrets,
    registerStatus,
    registerJobs,
  ])
    register(program);
  return program;
}
export async function runCli(argv: string[]): Promise<number> {
  try {
    await buildCli().parseAsync(argv, { from: 'user' });
    // A command that finished but reports a partial failure sets process.exitCode.
    return Number(process.exitCode ?? 0);
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode;
    if (err instanceof ConfigError || err instanceof PayloadError || err instanceof Error) {
      console.error(`error: ${err.message}`);
      return 1;
    }
    throw err;
  }
}

const isMain = process.argv[1] && import.meta.url.endsWith(process.argv[1].replace(/\\/g, '/'));
if (isMain) {
  runCli(process.argv.slice(2)).then((code) => process.exit(code));
}
