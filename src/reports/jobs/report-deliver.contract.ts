import { z } from 'zod';
import { defineContract } from '../../jobs/contract.js';

export const reportDeliverSchema = z.object({ scheduledReportId: z.uuid({ message: 'must be a scheduled_reports UUID' }) }).strict();

/** Fired by a scheduled_reports row's scheduler: render the report and deliver it once per slot. */
export const reportDeliver = defineContract({
  name: 'report.deliver',
  queue: 'reports',
  handler: () => import('./report-deliver.job.js'),
  schema: reportDeliverSchema,
  options: { attempts: 5, backoff: { type: 'exponential', delay: 30_000 } },
  deduplicationId: (d) => `report.deliver-${d.scheduledReportId}`,
});
