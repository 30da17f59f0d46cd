import type { Command } from 'commander';
import { githubSyncDeveloper, githubSyncRepo, githubSyncTeams } from '../../jobs/index.js';
import { parsePayload } from '../../queues/payload.js';
import { organizationOfRepository, startTracking } from '../../github/sync/index.js';
import { z } from 'zod';
import { waitAndReport, withOrm, withProducer } from '../context.js';

/** `aexy sync repo|issues|developer|teams`: track repositories and queue GitHub syncs. */
export function registerSync(program: Command): void {
  const sync = program.command('sync').description('queue GitHub syncs');
  sync
    .command('repo')
    .description('track a repository ("owner/name") for an organization and queue an incremental sync of it')
    .argument('<repository>', 'owner/name')
    .option('--organization <uuid>', 'the organization the repository belongs to (required the first time)')
    .option('--wait', 'wait for the sync to finish, printing progress')
    .action(async (repository: string, opts: { organization?: string; wait?: boolean }) => {
      const payload = parsePayload(githubSyncRepo.name, githubSyncRepo.schema, { repository });
      if (opts.organization !== undefined && !z.uuid().safeParse(opts.organization).success) throw new Error('--organization: must be an organization UUID');
      await withOrm((orm, config) =>
        withProducer(async (producer) => {
          const em = orm.em.fork();
          const organizationId = opts.organization ?? (await organizationOfRepository(em, payload.repository));
          if (!organizationId) throw new Error(`${payload.repository} belongs to no organization yet: name it with --organization <uuid>`);
          const { repository: name, jobId } = await startTracking(em, producer, { repository: payload.repository, organizationId });
          console.log(`tracking ${name} for organization ${organizationId}; queued ${githubSyncRepo.name} as job ${jobId}`);
          if (opts.wait) {
            const job = await producer.queue(githubSyncRepo.queue).getJob(jobId!);
            if (job) await waitAndReport(job, config);
          }
        }, config),
      );
    });
  sync
    .command('issues')
    .description("queue an incremental sync of a tracked repository's GitHub issues")
    .argument('<repository>', 'owner/name')
    .option('--wait', 'wait for the sync to finish, printing progress')
    .action(async (repository: string, opts: { wait?: boolean }) => {
      const payload = parsePayload(githubSyncRepo.name, githubSyncRepo.schema, { repository, streams: ['issues'] });
      await withProducer(async (producer, config) => {
        const job = await producer.enqueue(githubSyncRepo, payload);
        console.log(`queued ${githubSyncRepo.name} of ${payload.repository}'s issues as job ${job.id}`);
        if (opts.wait) await waitAndReport(job, config);
      });
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
        if (opts.wait) await waitAndReport(job, config);
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
}
