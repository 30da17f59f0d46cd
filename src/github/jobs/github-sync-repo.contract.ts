import { z } from 'zod';
import { REPO_FULL_NAME } from '../api/names.js';
import { defineContract } from '../../jobs/contract.js';

export const githubSyncRepoSchema = z
  .object({
    repository: z.string().regex(REPO_FULL_NAME, 'must be "owner/name"'),
    streams: z
      .array(z.enum(['commits', 'pulls', 'deployments', 'issues']))
      .min(1)
      .default(['commits', 'pulls']),
  })
  .strict();

/**
 * Incremental sync of one repository: commits of the default branch, then pull requests with their
 * reviews (by default), its deployments when asked for (`deployments`), and its issues (`issues`).
 */
export const githubSyncRepo = defineContract({
  name: 'github.sync-repo',
  queue: 'github-sync',
  handler: () => import('./github-sync-repo.job.js'),
  schema: githubSyncRepoSchema,
  options: { attempts: 6, backoff: { type: 'exponential', delay: 5_000 } },
  deduplicationId: (d) => `github.sync-repo-${d.repository}-${[...d.streams].sort().join('+')}`,
  fairBy: (d) => d.repository.split('/')[0]!.toLowerCase(),
  shardBy: (d) => d.repository.toLowerCase(),
});
