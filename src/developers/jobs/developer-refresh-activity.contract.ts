import { z } from 'zod';
import { defineContract } from '../../jobs/contract.js';

export const developerRefreshActivitySchema = z.object({ developerId: z.uuid({ message: 'must be a developer UUID' }) }).strict();

/** Recompute developers.last_activity_at from the newest commit, pull request or review. */
export const developerRefreshActivity = defineContract({
  name: 'developer.refresh-activity',
  queue: 'profiles',
  handler: () => import('./developer-refresh-activity.job.js'),
  schema: developerRefreshActivitySchema,
  deduplicationId: (d) => `developer.refresh-activity-${d.developerId}`,
});
