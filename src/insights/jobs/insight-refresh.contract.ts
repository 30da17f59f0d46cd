import { z } from 'zod';
import { defineContract } from '../../jobs/contract.js';

/** Every hour. */
export const INSIGHT_REFRESH_EVERY_MS = 60 * 60_000;

/** Regenerate the latest insights that expire within the next hour, and create the first ones of active developers and teams. */
export const insightRefresh = defineContract({
  name: 'insight.refresh',
  formerNames: ['insights.refresh'],
  queue: 'insights',
  handler: () => import('./insight-refresh.job.js'),
  schedules: [{ id: 'insight.refresh', every: INSIGHT_REFRESH_EVERY_MS }],
  schema: z.object({}).strict(),
  options: { attempts: 5 },
});
