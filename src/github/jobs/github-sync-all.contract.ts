import { z } from 'zod';
import { defineContract } from '../../jobs/contract.js';

/** Fired every GITHUB_SYNC_EVERY_MINUTES by its scheduler: one incremental sync per active tracked repository. */
export const githubSyncAll = defineContract({
  name: 'github.sync-all',
  queue: 'github-sync',
  handler: () => import('./github-sync-all.job.js'),
  schedules: [{ id: 'github.sync-all', every: (c) => c.GITHUB_SYNC_EVERY_MINUTES * 60_000 }],
  schema: z.object({}).strict(),
  options: { attempts: 5 },
});
