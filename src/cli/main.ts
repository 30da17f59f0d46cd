/**
 * The operator and producer CLI: `npx aexy <command>` (or `npm run cli -- <command>`). Each command
 * lives in src/cli/commands/; this file assembles them and turns errors into one line and an exit code.
 *
 * Only the command being run is loaded (with what it needs: BullMQ, MikroORM, the report renderer …):
 * `aexy --help` and `aexy --version` load commander and this file alone, so they answer at once. The
 * other commands are listed by name and description (COMMANDS, checked against the modules by a test).
 */
import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';

type Register = (program: Command) => void;

export const COMMANDS: { name: string; description: string; load: () => Promise<Register> }[] = [
  {
    name: 'migrate',
    description: 'create the database if needed and apply pending migrations',
    load: async () => (await import('./commands/migrate.js')).registerMigrate,
  },
  {
    name: 'enqueue',
    description: 'validate a JSON payload and enqueue a job, e.g. enqueue system.noop \'{"note":"hi"}\'',
    load: async () => (await import('./commands/enqueue.js')).registerEnqueue,
  },
  { name: 'sync', description: 'queue GitHub syncs', load: async () => (await import('./commands/sync.js')).registerSync },
  { name: 'github', description: 'GitHub accounts and organizations', load: async () => (await import('./commands/github.js')).registerGitHub },
  {
    name: 'deployments',
    description: 'deployments: list them, set where a repository reads them from',
    load: async () => (await import('./commands/deployments.js')).registerDeployments,
  },
  {
    name: 'jira',
    description: "Jira Cloud: install an organization's site, its projects' repositories, sync its issues",
    load: async () => (await import('./commands/jira.js')).registerJira,
  },
  {
    name: 'issues',
    description: "issues: an organization's investment categories and which issues are incidents",
    load: async () => (await import('./commands/issues.js')).registerIssues,
  },
  {
    name: 'incidents',
    description: 'incidents: failed deployments, reverts of deployed work, reported incidents',
    load: async () => (await import('./commands/incidents.js')).registerIncidents,
  },
  {
    name: 'export',
    description:
      'request an export (commits, pull_requests, code_reviews, developers, team_metrics, learning_paths, deployments, incidents, pr_lifecycle, issues) and queue it',
    load: async () => (await import('./commands/export.js')).registerExport,
  },
  {
    name: 'agreements',
    description: 'team working agreements: list, create, change, pause, preview',
    load: async () => (await import('./commands/agreements.js')).registerAgreements,
  },
  { name: 'report', description: 'custom reports', load: async () => (await import('./commands/report.js')).registerReport },
  { name: 'career', description: 'career roles, learning paths and progress', load: async () => (await import('./commands/career.js')).registerCareer },
  { name: 'org', description: 'organizations: their policy for numbers about people', load: async () => (await import('./commands/org.js')).registerOrg },
  { name: 'slack', description: 'Slack integrations', load: async () => (await import('./commands/slack.js')).registerSlack },
  { name: 'secrets', description: 'secrets at rest', load: async () => (await import('./commands/secrets.js')).registerSecrets },
  {
    name: 'status',
    description: 'job counts per queue, the age of its oldest waiting job, and the job schedulers',
    load: async () => (await import('./commands/status.js')).registerStatus,
  },
  { name: 'jobs', description: 'failed jobs: list them, retry them', load: async () => (await import('./commands/jobs.js')).registerJobs },
];

/** The version of the package (package.json two levels up, from src/cli or dist/src/cli). */
function version(): string {
  for (const up of ['../../package.json', '../../../package.json']) {
    try {
      const pkg = JSON.parse(readFileSync(new URL(up, import.meta.url), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'aexy-workers' && pkg.version) return pkg.version;
    } catch {
      /* not there: one level further up */
    }
  }
  return 'unknown';
}

/**
 * The CLI for these arguments: the command they name is loaded and registered whole; the others are
 * listed (name and description) for the help. `all` loads every command (tests, documentation).
 */
export async function buildCli(argv: string[] = [], all = false): Promise<Command> {
  const program = new Command('aexy')
    .description('Aexy Workers: enqueue jobs, migrate, inspect queues')
    .version(version(), '-V, --version', 'print the version')
    .exitOverride();
  const named = argv.find((a) => !a.startsWith('-'));
  const wanted = named === 'help' ? argv.filter((a) => !a.startsWith('-'))[1] : named;
  for (const c of COMMANDS) {
    if (all || c.name === wanted) (await c.load())(program);
    else program.command(c.name).description(c.description);
  }
  return program;
}

export async function runCli(argv: string[]): Promise<number> {
  try {
    await (await buildCli(argv)).parseAsync(argv, { from: 'user' });
    // A command that finished but reports a partial failure sets process.exitCode.
    return Number(process.exitCode ?? 0);
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode;
    // ConfigError, PayloadError and the rest: one line.
    if (err instanceof Error) {
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
