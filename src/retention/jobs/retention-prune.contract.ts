import { z } from 'zod';
import { defineContract } from '../../jobs/contract.js';

/** Daily at 03:30 UTC, when little else runs. */
export const RETENTION_PRUNE_CRON = '30 3 * * *';

/** Delete what is past its retention (insight history, Slack logs, the HTTP cache, finished exports, delivery claims). */
export const retentionPrune = defineContract({
  name: 'retention.prune',
  queue: 'system',
  handler: () => import('./retention-prune.job.js'),
  schedules: [{ id: 'retention.prune', pattern: RETENTION_PRUNE_CRON }],
  schema: z.object({}).strict(),
  options: { attempts: 3, backoff: { type: 'exponential', delay: 60_000 } },
  deduplicationId: () => 'retention.prune',
});
