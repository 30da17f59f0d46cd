import { z } from 'zod';
import { defineContract } from '../../jobs/contract.js';

/** Post an insight that crossed the alert threshold to its organization's Slack. */
export const slackInsightAlert = defineContract({
  name: 'slack.insight-alert',
  queue: 'slack',
  handler: () => import('./slack-insight-alert.job.js'),
  schema: z.object({ insightId: z.uuid() }).strict(),
  options: { attempts: 5, backoff: { type: 'exponential', delay: 5_000 } },
  deduplicationId: (d) => `slack.insight-alert-${d.insightId}`,
});
