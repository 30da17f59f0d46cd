import { z } from 'zod';
import { defineContract } from '../../jobs/contract.js';

export const systemNoopSchema = z
  .object({
    note: z.string().max(200).optional(),
    /** Hold the job this long: lets tests and chaos drills catch a job in flight. */
    sleepMs: z.number().int().min(0).max(60_000).optional(),
  })
  .strict();

/** Does nothing: proves a worker is alive end to end, and is the unit of the throughput bench. */
export const systemNoop = defineContract({
  name: 'system.noop',
  queue: 'system',
  handler: () => import('./system-noop.job.js'),
  schema: systemNoopSchema,
  options: { attempts: 1 },
});
