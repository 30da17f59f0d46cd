import { z } from 'zod';
import { defineJob } from '../../queues/job-definition.js';
import { githubSyncRepo } from './github-sync-repo.js';

/** Fired by the job scheduler: one incremental sync per active tracked repository. */
export const githubSyncAll = defineJob({
  name: 'github.sync-all',
  queue: 'github-sync',
  schema: z.object({}).strict(),
  options: { attempts: 5 },
  async process(_data, ctx) {
    const repos = await ctx.em
      .getConnection()
      .execute<{ full_name: string }[]>(`SELECT full_name FROM tracked_repositories WHERE is_active ORDER BY full_name`);
    for (const r of repos) ctx.enqueueAfter(githubSyncRepo, { repository: r.full_name, streams: ['commits', 'pulls'] });
    return { queued: repos.length };
  },
});
