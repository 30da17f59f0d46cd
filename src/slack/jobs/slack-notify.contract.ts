import { z } from 'zod';
import { defineContract } from '../../jobs/contract.js';

export const slackNotifySchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('export_ready'), exportJobId: z.uuid() }).strict(),
  z.object({ kind: z.literal('sync_failure_digest'), organizationId: z.uuid() }).strict(),
  z.object({ kind: z.literal('weekly_team_summary'), teamId: z.uuid() }).strict(),
  z.object({ kind: z.literal('career_milestone'), milestoneId: z.uuid() }).strict(),
  z.object({ kind: z.literal('career_path'), learningPathId: z.uuid() }).strict(),
]);

/** The other Slack notifications: export ready, the daily sync-failure digest, the weekly team summary, career progress. */
export const slackNotify = defineContract({
  name: 'slack.notify',
  queue: 'slack',
  handler: () => import('./slack-notify.job.js'),
  schema: slackNotifySchema,
  options: { attempts: 5, backoff: { type: 'exponential', delay: 5_000 } },
  deduplicationId: (d) => `slack.notify-${d.kind}-${Object.values(d).find((v) => v !== d.kind)}`,
});
