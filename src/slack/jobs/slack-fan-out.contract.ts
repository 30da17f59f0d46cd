import { z } from 'zod';
import { defineContract } from '../../jobs/contract.js';

/** Daily at 08:00 UTC: the sync-failure digest of every organization with Slack. */
export const SYNC_FAILURE_DIGEST_CRON = '0 8 * * *';
/** Mondays at 09:00 UTC: the team summaries. */
export const WEEKLY_TEAM_SUMMARY_CRON = '0 9 * * 1';
/** Daily at 07:00 UTC: developers mapped to Slack users by email (new members, new Slack accounts). */
export const MAP_USERS_CRON = '0 7 * * *';

/** Scheduled: fan the digests, team summaries and user mapping out to every organization/team with an integration. */
export const slackFanOut = defineContract({
  name: 'slack.fan-out',
  queue: 'slack',
  handler: () => import('./slack-fan-out.job.js'),
  schedules: [
    { id: 'slack.sync-failure-digest', pattern: SYNC_FAILURE_DIGEST_CRON, data: { kind: 'sync_failure_digest' } },
    { id: 'slack.weekly-team-summary', pattern: WEEKLY_TEAM_SUMMARY_CRON, data: { kind: 'weekly_team_summary' } },
    { id: 'slack.map-users', pattern: MAP_USERS_CRON, data: { kind: 'map_users' } },
  ],
  schema: z.object({ kind: z.enum(['sync_failure_digest', 'weekly_team_summary', 'map_users']) }).strict(),
  options: { attempts: 5 },
});
