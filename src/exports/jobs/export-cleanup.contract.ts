import { z } from 'zod';
import { defineContract } from '../../jobs/contract.js';

/** Every 15 minutes. */
export const EXPORT_CLEANUP_EVERY_MS = 15 * 60_000;

/** Delete expired export files and old rendered reports inside EXPORT_DIR; reconcile abandoned rows. */
export const exportCleanup = defineContract({
  name: 'export.cleanup',
  queue: 'exports',
  handler: () => import('./export-cleanup.job.js'),
  schedules: [{ id: 'export.cleanup', every: EXPORT_CLEANUP_EVERY_MS }],
  schema: z.object({}).strict(),
  options: { attempts: 5 },
});
