/**
 * The operator and producer CLI: `npx aexy <command>` (or `npm run cli -- <command>`).
 */
import { Command, CommanderError, InvalidArgumentError } from 'commander';
import { ConfigError, loadConfig } from '../config/index.js';
import { ensureDatabase } from '../db/ensure-database.js';
import { migrate, openOrm, type MikroORM } from '../db/orm.js';
import { PayloadError } from '../errors/index.js';
import { QUEUE_NAMES } from '../queues/names.js';
import { Producer } from '../queues/producer.js';
import { contractByName, githubSyncDeveloper, githubSyncRepo, githubSyncTeams } from '../jobs/index.js';
import { trackRepository } from '../sync/tracked.js';
import { parsePayload } from '../queues/payload.js';
import { requestExport } from '../exports/request.js';
import { KeyRing } from '../crypto/secrets.js';
import { installSlackIntegration, reencryptSecrets } from '../slack/integrations.js';
import { runCustomReport } from '../reports/run.js';
import { REPORT_FORMATS, type ReportFormat } from '../reports/render.js';
import { sql } from '../db/sql.js';
import { listSchedulers } from '../queues/schedulers.js';
import { QueueEvents, type Job } from 'bullmq';
import type { AppConfig } from '../config/index.js';

/** Follow a job to its end, printing its progress; exits non-zero if it failed. */
async function waitAndReport(producer: Producer, job: Job, config: AppConfig): Promise<void> {
  const events = new QueueEvents(job.queueName, { connection: { url: config.REDIS_URL }, prefix: config.QUEUE_PREFIX });
  events.on('progress', ({ jobId, data }) => {
    if (jobId === job.id) console.log(`progress: ${JSON.stringify(data)}`);
  });
  try {
    await events.waitUntilReady();
    const result = await job.waitUntilFinished(events);
    console.log(`completed: ${JSON.stringify(result)}`);
  } catch (err) {
    throw new Error(`job ${job.id} failed: ${(err as Error).message}`);
  } finally {
    await events.close();
    void producer;
  }
}

/** Run with a Producer on the configured Redis; it is always closed. */
async function withProducer<T>(fn: (producer: Producer, config: AppConfig) => Promise<T>, config: AppConfig = loadConfig()): Promise<T> {
  // Five seconds to reach Redis, then a one-line error: a CLI must not hang on a down queue.
  const producer = new Producer({ redisUrl: config.REDIS_URL, prefix: config.QUEUE_PREFIX, readyTimeoutMs: 5_000 });
  try {
    await producer.ready();
    return await fn(producer, config);
  } finally {
    await producer.close();
  }
}

/** Run with an ORM on the configured database; it is always closed. */
async function withOrm<T>(fn: (orm: MikroORM, config: AppConfig) => Promise<T>, config: AppConfig = loadConfig()): Promise<T> {
  const orm = await openOrm(config.DATABASE_URL);
  try {
    return await fn(orm, config);
  } finally {
    await orm.close();
  }
}

export function buildCli(): Command {
  const program = new Command('aexy').description('Aexy Workers: enqueue jobs, migrate, inspect queues').exitOverride();

  program
    .command('migrate')
    .description('create the database if needed and apply pending migrations')
    .action(async () => {
      const config = loadConfig();
      if (await ensureDatabase(config.DATABASE_URL)) console.log('created database');
      await withOrm(async (orm) => {
        const done = await migrate(orm);
        console.log(done.length ? `applied: ${done.join(', ')}` : 'database is up to date');
      }, config);
    });

  program
    .command('enqueue')
    .description('validate a JSON payload and enqueue a job, e.g. enqueue system.noop \'{"note":"hi"}\'')
    .argument('<job>', 'job name')
    .argument('[json]', 'payload as JSON', '{}')
    .action(async (name: string, json: string) => {
      const def = contractByName(name);
      let data: unknown;
      try {
        data = JSON.parse(json);
      } catch (err) {
        throw new Error(`Payload is not valid JSON: ${(err as Error).message}`);
      }
      await withProducer(async (producer) => {
        const job = await producer.enqueue(def, data);
        console.log(`enqueued ${def.name} on ${def.queue} as job ${job.id}`);
      });
    });

  const sync = program.command('sync').description('queue GitHub syncs');
  sync
    .command('repo')
    .description('track a repository ("owner/name") and queue an incremental sync of it')
    .argument('<repository>', 'owner/name')
    .option('--wait', 'wait for the sync to finish, printing progress')
    .action(async (repository: string, opts: { wait?: boolean }) => {
      const payload = parsePayload(githubSyncRepo.name, githubSyncRepo.schema, { repository });
      await withOrm((orm, config) =>
        withProducer(async (producer) => {
          await trackRepository(orm.em.fork(), payload.repository);
          const job = await producer.enqueue(githubSyncRepo, payload);
          console.log(`tracking ${payload.repository}; queued ${githubSyncRepo.name} as job ${job.id}`);
          if (opts.wait) await waitAndReport(producer, job, config);
        }, config),
      );
    });
  sync
    .command('developer')
    .description('queue a sync of a developer from their GitHub user')
    .argument('<login>', 'GitHub login')
    .option('--wait', 'wait for the sync to finish')
    .action(async (login: string, opts: { wait?: boolean }) => {
      await withProducer(async (producer, config) => {
        const job = await producer.enqueue(githubSyncDeveloper, { login });
        console.log(`queued ${githubSyncDeveloper.name} for ${login} as job ${job.id}`);
        if (opts.wait) await waitAndReport(producer, job, config);
      });
    });

  sync
    .command('teams')
    .description("mirror a GitHub organization's teams into teams (members → developer_ids)")
    .argument('<org>', 'GitHub organization login')
    .requiredOption('--organization <uuid>', 'the Aexy organization id the teams belong to')
    .action(async (org: string, opts: { organization: string }) => {
      await withProducer(async (producer) => {
        const job = await producer.enqueue(githubSyncTeams, { org, organizationId: opts.organization });
        console.log(`queued ${githubSyncTeams.name} for ${org} as job ${job.id}`);
      });
    });

  program
    .command('export')
    .description('request an export (commits, pull_requests, code_reviews, developers, team_metrics) and queue it')
    .argument('<type>', 'export type')
    .requiredOption('--format <format>', 'csv or json')
    .option('--days <n>', 'only the last n days (a whole number from 1 to 3650)', (v) => {
      // Not Number(v): "abc" would be NaN and "0" falsy, and either would silently export everything.
      if (!/^\d+$/.test(v.trim()) || Number(v) < 1 || Number(v) > 3650) throw new InvalidArgumentError('must be a whole number of days from 1 to 3650');
      return Number(v);
    })
    .option('--developer <uuid...>', 'only these developers')
    .option('--team <uuid...>', 'only members of these teams')
    .option('--wait', 'wait for the file and print where it is')
    .action(async (type: string, opts: { format: string; days?: number; developer?: string[]; team?: string[]; wait?: boolean }) => {
      await withOrm((orm, config) =>
        withProducer(async (producer) => {
          const id = await requestExport(orm.em.fork(), producer, {
            exportType: type as never,
            format: opts.format as never,
            config: {
              ...(opts.days !== undefined ? { date_range: { days: opts.days } } : {}),
              ...(opts.developer ? { developer_ids: opts.developer } : {}),
              ...(opts.team ? { team_ids: opts.team } : {}),
            },
          });
          console.log(`export ${id} queued (${type}, ${opts.format})`);
          if (opts.wait) {
            const job = (await producer.queue('exports').getJobs(['waiting', 'active', 'delayed', 'completed'])).find((j) => j.data.exportJobId === id);
            if (job) await waitAndReport(producer, job, config);
            const [row] = await sql<{ status: string; file_path: string | null; file_size_bytes: string | null; error_message: string | null }>(
              orm.em.fork(),
              `SELECT status, file_path, file_size_bytes, error_message FROM export_jobs WHERE id = ?`,
              [id],
            );
            console.log(row?.status === 'completed' ? `file: ${row.file_path} (${row.file_size_bytes} bytes)` : `export ${row?.status}: ${row?.error_message}`);
          }
        }, config),
      );
    });

  program
    .command('report')
    .description('custom reports')
    .command('run')
    .description('render a custom report now, to EXPORT_DIR')
    .argument('<id>', 'custom_reports id')
    .option('--format <format>', 'pdf, csv or json', 'pdf')
    .action(async (id: string, opts: { format: string }) => {
      if (!(REPORT_FORMATS as readonly string[]).includes(opts.format)) throw new Error(`--format must be one of ${REPORT_FORMATS.join(', ')}`);
      if (!/^[0-9a-f-]{36}$/i.test(id)) throw new Error('report id must be a UUID');
      const config = loadConfig();
      await withOrm(async (orm) => {
        const r = await runCustomReport(orm.em.fork(), id, opts.format as ReportFormat, config.EXPORT_DIR);
        const errors = r.data.widgets.filter((w) => w.type === 'error');
        console.log(`report "${r.data.report.name}": ${r.data.widgets.length - errors.length} widgets rendered → ${r.path} (${r.bytes} bytes)`);
        for (const e of errors) console.log(`  ! ${e.error}`);
      }, config);
    });

  const slackCmd = program.command('slack').description('Slack integrations');
  slackCmd
    .command('install')
    .description('store a workspace integration; the bot token is read from SLACK_BOT_TOKEN (never from argv) and encrypted')
    .requiredOption('--organization <uuid>', 'Aexy organization id')
    .requiredOption('--team-id <id>', 'Slack team (workspace) id, e.g. T012AB3C4')
    .option('--team-name <name>')
    .option('--channel <id>', 'default channel id, e.g. C012AB3C4')
    .action(async (opts: { organization: string; teamId: string; teamName?: string; channel?: string }) => {
      const token = process.env.SLACK_BOT_TOKEN;
      if (!token) throw new Error('Set SLACK_BOT_TOKEN in the environment (tokens are not accepted as arguments: they would end up in shell history and ps)');
      if (!/^[0-9a-f-]{36}$/i.test(opts.organization)) throw new Error('--organization must be a UUID');
      const config = loadConfig();
      const ring = KeyRing.fromConfig(config.ENCRYPTION_KEYS);
      await withOrm(async (orm) => {
        const id = await installSlackIntegration(orm.em.fork(), ring, {
          organizationId: opts.organization,
          teamId: opts.teamId,
          teamName: opts.teamName,
          botToken: token,
          defaultChannelId: opts.channel,
        });
        console.log(`slack integration ${opts.teamId} stored as ${id} (token encrypted with key ${ring.activeKeyId})`);
      }, config);
    });
  program
    .command('secrets')
    .description('secrets at rest')
    .command('reencrypt')
    .description('re-encrypt stored secrets with the active key of ENCRYPTION_KEYS (after a rotation)')
    .action(async () => {
      const config = loadConfig();
      const ring = KeyRing.fromConfig(config.ENCRYPTION_KEYS);
      await withOrm(async (orm) => {
        const { reencrypted, failed } = await reencryptSecrets(orm.em.fork(), ring);
        for (const f of failed) console.error(`could not re-encrypt the token of Slack team ${f.teamId} (${f.id}): ${f.error}`);
        console.log(`re-encrypted ${reencrypted} secret(s) with key ${ring.activeKeyId}${failed.length ? `; ${failed.length} could not be read` : ''}`);
        if (failed.length) process.exitCode = 1;
      }, config);
    });

  program
    .command('status')
    .description('job counts per queue')
    .option('--json', 'print JSON')
    .action(async (opts: { json?: boolean }) => {
      await withProducer(async (producer) => {
        const states = ['waiting', 'active', 'delayed', 'prioritized', 'waiting-children', 'completed', 'failed'] as const;
        const rows = [];
        for (const name of QUEUE_NAMES) {
          const q = producer.queue(name);
          await q.waitUntilReady();
          rows.push({ queue: name, ...(await q.getJobCounts(...states)) });
        }
        const schedulers = await listSchedulers(producer);
        if (opts.json) console.log(JSON.stringify({ queues: rows, schedulers }, null, 2));
        else {
          console.table(rows);
          console.table(
            schedulers.map((s) => ({
              scheduler: s.id,
              queue: s.queue,
              job: s.job,
              every: s.every ? `${Math.round(s.every / 60_000)} min` : s.pattern,
              next_run: s.next ? new Date(s.next).toISOString() : null,
            })),
          );
        }
      });
    });

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
