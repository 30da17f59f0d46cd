import { z } from 'zod';
import { defineContract } from '../../jobs/contract.js';

export const developerRefreshProfileSchema = z.object({ developerId: z.uuid({ message: 'must be a developer UUID' }) }).strict();

/** Recompute a developer's profile (languages, frameworks, domains, skills, seniority) from their synced work. */
export const developerRefreshProfile = defineContract({
  name: 'developer.refresh-profile',
  queue: 'profiles',
  handler: () => import('./developer-refresh-profile.job.js'),
  schema: developerRefreshProfileSchema,
  deduplicationId: (d) => `developer.refresh-profile-${d.developerId}`,
});
