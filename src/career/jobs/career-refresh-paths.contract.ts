import { z } from 'zod';
import { defineContract } from '../../jobs/contract.js';

/** Move a developer's active learning paths with their skill levels (queued after each profile refresh). */
export const careerRefreshPaths = defineContract({
  name: 'career.refresh-paths',
  queue: 'profiles',
  handler: () => import('./career-refresh-paths.job.js'),
  schema: z.object({ developerId: z.uuid({ message: 'must be a developer UUID' }) }).strict(),
  deduplicationId: (d) => `career.refresh-paths-${d.developerId}`,
});
