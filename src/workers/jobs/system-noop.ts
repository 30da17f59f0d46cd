import { z } from 'zod';
import { defineJob } from '../../queues/job-definition.js';

export const systemNoopSchema = z
  .object({
    note: z.string().max(200).optional(),
    /** Hold the job this long: lets tests and chaos drills catch a job in flight. */
    sleepMs: z.number().int().min(0).max(60_000).optional(),
  })
  .strict();

/** Does nothing: proves a worker is alive end to end, and is the unit of the throughput bench. */
export const systemNoop = defineJob({
  name: 'system.noop',
  queue: 'system',
  schema: systemNoopSchema,
  options: { attempts: 1 },
  async process(data) {
    if (data.sleepMs) await new Promise((resolve) => setTimeout(resolve, data.sleepMs));
    return { ok: true, note: data.note ?? null };
  },
});
