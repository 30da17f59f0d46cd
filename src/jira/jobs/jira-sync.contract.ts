import { z } from 'zod';
import { defineContract } from '../../jobs/contract.js';

export const jiraSyncSchema = z.object({ organizationId: z.uuid({ message: 'must be an organization UUID' }) }).strict();

/** Incremental sync of an organization's Jira issues (queued by github.sync-all and `aexy jira sync`). */
export const jiraSync = defineContract({
  name: 'jira.sync',
  queue: 'github-sync',
  handler: () => import('./jira-sync.job.js'),
  schema: jiraSyncSchema,
  options: { attempts: 5, backoff: { type: 'exponential', delay: 5_000 } },
  deduplicationId: (d) => `jira.sync-${d.organizationId}`,
  fairBy: (d) => d.organizationId,
});
