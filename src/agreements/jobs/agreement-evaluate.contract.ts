import { z } from 'zod';
import { defineContract } from '../../jobs/contract.js';

/** Every 15 minutes, besides the evaluation each sync of a repository queues for its organization. */
export const AGREEMENT_EVALUATE_EVERY_MS = 15 * 60_000;

/**
 * The working agreements of one organization evaluated and their new alerts posted; without an
 * organization (the scheduler), one such job queued for each organization with an active agreement.
 */
export const agreementEvaluate = defineContract({
  name: 'agreement.evaluate',
  queue: 'slack',
  handler: () => import('./agreement-evaluate.job.js'),
  schedules: [{ id: 'agreement.evaluate', every: AGREEMENT_EVALUATE_EVERY_MS, data: {} }],
  schema: z.object({ organizationId: z.uuid({ message: 'must be an organization UUID' }).optional() }).strict(),
  options: { attempts: 5, backoff: { type: 'exponential', delay: 5_000 } },
  deduplicationId: (d) => `agreement.evaluate-${d.organizationId ?? 'all'}`,
});
