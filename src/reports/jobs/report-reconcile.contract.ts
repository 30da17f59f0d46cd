import { z } from 'zod';
import { defineContract } from '../../jobs/contract.js';

/** Every 5 minutes. */
export const REPORT_RECONCILE_EVERY_MS = 5 * 60_000;

/** Make the BullMQ job schedulers mirror scheduled_reports. */
export const reportReconcile = defineContract({
  name: 'report.reconcile',
  formerNames: ['reports.reconcile'],
  queue: 'reports',
  handler: () => import('./report-reconcile.job.js'),
  schedules: [{ id: 'report.reconcile', every: REPORT_RECONCILE_EVERY_MS }],
  schema: z.object({}).strict(),
  options: { attempts: 5 },
  deduplicationId: () => 'report.reconcile',
});
