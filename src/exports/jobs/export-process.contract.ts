import { z } from 'zod';
import { defineContract } from '../../jobs/contract.js';

export const exportProcessSchema = z.object({ exportJobId: z.uuid({ message: 'must be an export_jobs UUID' }) }).strict();

/** Produce the file of one export_jobs row, streamed: pending → processing → completed | failed. */
export const exportProcess = defineContract({
  name: 'export.process',
  queue: 'exports',
  handler: () => import('./export-process.job.js'),
  schema: exportProcessSchema,
  options: { attempts: 4, backoff: { type: 'exponential', delay: 5_000 } },
  deduplicationId: (d) => `export.process-${d.exportJobId}`,
});
