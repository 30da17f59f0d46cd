import { z } from 'zod';
import { GITHUB_LOGIN } from '../api/names.js';
import { defineContract } from '../../jobs/contract.js';

export const githubSyncDeveloperSchema = z.object({ login: z.string().regex(GITHUB_LOGIN, 'must be a GitHub login') }).strict();

/** Create or update a developer from their GitHub user, learn their public email, refresh the profile. */
export const githubSyncDeveloper = defineContract({
  name: 'github.sync-developer',
  queue: 'github-sync',
  handler: () => import('./github-sync-developer.job.js'),
  schema: githubSyncDeveloperSchema,
  options: { attempts: 5, backoff: { type: 'exponential', delay: 5_000 } },
  deduplicationId: (d) => `github.sync-developer-${d.login.toLowerCase()}`,
  fairBy: (d) => d.login.toLowerCase(),
});
