import { z } from 'zod';
import { defineContract } from '../../jobs/contract.js';

/** Every 5 minutes: the safety net for follow-ups of syncs that were cut short for good. */
export const DEVELOPER_FOLLOW_UP_EVERY_MS = 5 * 60_000;

/** Queue the profile refreshes and GitHub user fetches that developer_dirty and github_user_syncs call for. */
export const developerFollowUp = defineContract({
  name: 'developer.follow-up',
  formerNames: ['developers.follow-up'],
  queue: 'profiles',
  handler: () => import('./developer-follow-up.job.js'),
  schedules: [{ id: 'developer.follow-up', every: DEVELOPER_FOLLOW_UP_EVERY_MS }],
  schema: z.object({}).strict(),
  deduplicationId: () => 'developer.follow-up',
});
