import { z } from 'zod';
import { applyConfiguredBots } from '../../people/bots.js';
import { pendingFollowUps } from '../../people/follow-ups.js';
import { defineJob, type JobContext } from '../../queues/job-definition.js';
import { developerRefreshProfile } from './developer-refresh-profile.js';
import { githubSyncDeveloper } from './github-sync-developer.js';

/**
 * Queue what developer_dirty and github_user_syncs say is pending: a profile refresh per marked
 * developer, a GitHub user fetch per developer never fetched. Both are deduplicated, so draining
 * twice (a sync's end and the scheduler) queues each once.
 */
export async function drainFollowUps(ctx: JobContext): Promise<{ refresh: number; enrich: number }> {
  // Developers first seen since the last drain may be on the configured bot list.
  await applyConfiguredBots(ctx.em, ctx.config.GITHUB_BOT_LOGINS);
  const pending = await pendingFollowUps(ctx.em);
  for (const developerId of pending.refresh) await ctx.enqueue(developerRefreshProfile, { developerId });
  for (const login of pending.enrich) await ctx.enqueue(githubSyncDeveloper, { login });
  return { refresh: pending.refresh.length, enrich: pending.enrich.length };
}

/** Every 5 minutes: the safety net for follow-ups of syncs that were cut short for good. */
export const DEVELOPERS_FOLLOW_UP_EVERY_MS = 5 * 60_000;

export const developersFollowUp = defineJob({
  name: 'developers.follow-up',
  queue: 'profiles',
  schema: z.object({}).strict(),
  deduplicationId: () => 'developers.follow-up',
  async process(_data, ctx) {
    return drainFollowUps(ctx);
  },
});
