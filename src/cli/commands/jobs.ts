import type { Command } from 'commander';
import type { Job } from 'bullmq';
import { QUEUE_NAMES, queuesOf } from '../../queues/names.js';
import { loadConfig, type AppConfig } from '../../config/index.js';
import type { Producer } from '../../queues/producer.js';
import type { EntityManager } from '@mikro-orm/postgresql';
import { reopenExport } from '../../exports/index.js';
import { openOrm, type MikroORM } from '../../db/orm.js';
import { listLimit, withProducer } from '../context.js';

/** `aexy jobs failed|retry`: what failed, and running it again (the board's two buttons, for a terminal). */
export function registerJobs(program: Command): void {
  const jobs = program.command('jobs').description('failed jobs: list them, retry them');
  jobs
    .command('failed')
    .description('the failed jobs, newest first, with their reasons')
    .option('--queue <queue>', `one queue (${QUEUE_NAMES.join(', ')})`)
    .option('--limit <n>', 'at most this many per queue', '20')
    .option('--json', 'print JSON')
    .action(async (opts: { queue?: string; limit: string; json?: boolean }) => {
      const queues = queuesAsked(opts.queue);
      const limit = listLimit(opts.limit);
      await withProducer(async (producer) => {
        const rows = [];
        for (const name of queues) {
          const failed = await producer.queue(name).getJobs(['failed'], 0, limit - 1);
          for (const job of failed) rows.push(describe(name, job));
        }
        if (opts.json) console.log(JSON.stringify(rows, null, 2));
        else if (rows.length === 0) console.log(`no failed jobs${opts.queue ? ` in ${opts.queue}` : ''}`);
        else console.table(rows.map((r) => ({ ...r, reason: r.reason.split('\n')[0]!.slice(0, 120) })));
      });
    });
  jobs
    .command('retry')
    .description('run a failed job again (by id), or every failed job (--all-failed)')
    .argument('[id]', 'the job id (aexy jobs failed lists them)')
    .option('--queue <queue>', 'the queue of the job, or of the failed jobs to retry')
    .option('--all-failed', 'retry every failed job (of --queue, or of every queue)')
    .action(async (id: string | undefined, opts: { queue?: string; allFailed?: boolean }) => {
      if ((id === undefined) === !opts.allFailed) throw new Error('name a job id, or --all-failed (not both)');
      const queues = queuesAsked(opts.queue);
      // The database only for a job whose retry must reopen something there (an export).
      let orm: MikroORM | undefined;
      const em = async () => (orm ??= await openOrm(loadConfig().DATABASE_URL)).em.fork();
      try {
        await withProducer(async (producer) => {
          if (opts.allFailed) {
            for (const name of queues) {
              const failed = await producer.queue(name).getJobs(['failed'], 0, 999);
              if (failed.length === 0) continue;
              let again = 0;
              for (const job of failed) {
                const r = await retryOne(em, job);
                if ('refused' in r) console.log(`${job.name} (job ${job.id}) not retried: ${r.refused}`);
                else again += 1;
              }
              console.log(`${name}: ${again} failed job(s) queued again`);
            }
            return;
          }
          const job = await failedJob(producer, queues, id!);
          // Read before the retry, which clears them.
          const said = `it had failed after ${job.attemptsMade} attempt(s): ${firstLine(job.failedReason)}`;
          const r = await retryOne(em, job);
          if ('refused' in r) throw new Error(`${job.name} (job ${job.id} on ${job.queueName}) not retried: ${r.refused}`);
          console.log(`${job.name} (job ${job.id} on ${job.queueName}) queued again with all its attempts; ${said}`);
        });
      } finally {
        await orm?.close();
      }
    });
}

/**
 * What a job's retry must undo first, by job name: the state its failure left in the database
 * (a failed export row, which its job would otherwise skip). A refusal says why it is not retried.
 */
const REOPEN: Record<string, (em: EntityManager, data: Record<string, unknown>) => Promise<{ reopened: true } | { refused: string }>> = {
  'export.process': (em, data) => reopenExport(em, String(data.exportJobId)),
};

/** Reopen what the job's failure closed, then run it again with its attempts counted from zero. */
async function retryOne(em: () => Promise<EntityManager>, job: Job): Promise<{ retried: true } | { refused: string }> {
  const reopen = Object.hasOwn(REOPEN, job.name) ? REOPEN[job.name] : undefined;
  if (reopen) {
    const r = await reopen(await em(), job.data as Record<string, unknown>);
    if ('refused' in r) return r;
  }
  await job.retry('failed', { resetAttemptsMade: true, resetAttemptsStarted: true });
  return { retried: true };
}

/** The queues asked for: one (of the registry, or a github-sync shard of the configuration), else every queue of the deployment. */
function queuesAsked(queue: string | undefined, config: AppConfig = loadConfig()): string[] {
  const known = queuesOf(config);
  if (queue === undefined) return known;
  if (!known.includes(queue)) throw new Error(`--queue: unknown queue "${queue}" (known: ${known.join(', ')})`);
  return [queue];
}

const firstLine = (text: string | undefined) => (text ?? '').split('\n')[0]!.slice(0, 200);

function describe(queue: string, job: Job) {
  return {
    queue,
    id: job.id ?? '',
    job: job.name,
    attempts: job.attemptsMade,
    failed_at: job.finishedOn ? new Date(job.finishedOn).toISOString() : '',
    reason: job.failedReason ?? '',
  };
}

/** The failed job of that id: one queue's, or the only queue holding a failed job of that id. */
async function failedJob(producer: Producer, queues: string[], id: string): Promise<Job> {
  const found: Job[] = [];
  const elsewhere: string[] = [];
  for (const name of queues) {
    const job = await producer.queue(name).getJob(id);
    if (!job) continue;
    const state = await job.getState();
    if (state === 'failed') found.push(job);
    else elsewhere.push(`${name} (${state})`);
  }
  if (found.length === 1) return found[0]!;
  if (found.length > 1) throw new Error(`job ${id} has failed in ${found.map((j) => j.queueName).join(' and ')}: name one with --queue`);
  throw new Error(
    elsewhere.length ? `job ${id} has not failed: it is in ${elsewhere.join(', ')}` : `no job ${id}${queues.length === 1 ? ` in ${queues[0]}` : ''}`,
  );
}
