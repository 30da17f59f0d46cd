import { defineJob } from '../../jobs/handler.js';
import { pruneFairSets } from '../../queues/fairness.js';
import { shardQueues } from '../../queues/names.js';
import { activeRepositories } from '../sync/tracked.js';
import { githubSyncAll } from './github-sync-all.contract.js';
import { githubSyncRepo } from './github-sync-repo.contract.js';
import { jiraSync } from '../../jira/jobs/jira-sync.contract.js';
import { jiraOrganizations } from '../../jira/index.js';

export const githubSyncAllJob = defineJob(githubSyncAll, async (_data, ctx) => {
  // Work an operator removed while it waited no longer holds its tenant's places (fairness.ts).
  for (const name of [githubSyncRepo.queue, ...shardQueues(ctx.config.GITHUB_SYNC_SHARDS)])
    await pruneFairSets(ctx.redis, ctx.queue(name), ctx.config.QUEUE_PREFIX);
  const repos = await activeRepositories(ctx.em);
  for (const repository of repos) {
    // Three jobs: the commits and pull requests a webhook or a producer's sync also queues (deduplicated
    // with them), the deployments and the issues, which their webhooks queue alone.
    ctx.enqueueAfter(githubSyncRepo, { repository, streams: ['commits', 'pulls'] });
    ctx.enqueueAfter(githubSyncRepo, { repository, streams: ['deployments'] });
    ctx.enqueueAfter(githubSyncRepo, { repository, streams: ['issues'] });
  }
  // And each organization's Jira issues.
  const sites = await jiraOrganizations(ctx.em);
  for (const organizationId of sites) ctx.enqueueAfter(jiraSync, { organizationId });
  return { queued: repos.length, ...(sites.length ? { jira: sites.length } : {}) };
});
