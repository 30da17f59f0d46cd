import { z } from 'zod';
import { GITHUB_LOGIN } from '../api/names.js';
import { defineContract } from '../../jobs/contract.js';

export const githubSyncTeamsSchema = z
  .object({
    org: z.string().regex(GITHUB_LOGIN, 'must be a GitHub organization login'),
    organizationId: z.uuid({ message: 'must be the Aexy organization UUID' }),
  })
  .strict();

/** Keep teams in step with the GitHub organization's teams and their members. */
export const githubSyncTeams = defineContract({
  name: 'github.sync-teams',
  queue: 'github-sync',
  handler: () => import('./github-sync-teams.job.js'),
  schema: githubSyncTeamsSchema,
  options: { attempts: 5, backoff: { type: 'exponential', delay: 5_000 } },
  deduplicationId: (d) => `github.sync-teams-${d.org.toLowerCase()}`,
  fairBy: (d) => d.org.toLowerCase(),
});
