import { defineJob } from '../../jobs/handler.js';
import { activeRepositories } from '../sync/tracked.js';
import { githubSyncAll } from './github-sync-all.contract.js';
import { githubSyncRepo } from './github-sync-repo.contract.js';

export const githubSyncAllJob = defineJob(githubSyncAll, async (_data, ctx) => {
  const repos = await activeRepositories(ctx.em);
  for (const repository of repos) ctx.enqueueAfter(githubSyncRepo, { repository, streams: ['commits', 'pulls', 'deployments'] });
  return { queued: repos.length };
});
