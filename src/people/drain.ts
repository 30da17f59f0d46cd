import type { Needs } from '../jobs/helpers.js';
import { developerRefreshProfile } from '../developers/jobs/developer-refresh-profile.contract.js';
import { githubSyncDeveloper } from '../github/jobs/github-sync-developer.contract.js';
import { applyConfiguredBots } from './sql/bots.js';
import { pendingFollowUps } from './sql/follow-ups.js';

/**
 * Queue what developer_dirty and github_user_syncs say is pending: a profile refresh per marked
 * developer, a GitHub user fetch per developer never fetched. Both are deduplicated, so draining
 * twice (a sync's end and the scheduler) queues each once.
 */
export async function drainFollowUps(ctx: Needs<'em' | 'config' | 'enqueue'>): Promise<{ refresh: number; enrich: number }> {
  // Developers first seen since the last drain may be on the configured bot list.
  await applyConfiguredBots(ctx.em, ctx.config.GITHUB_BOT_LOGINS);
  const pending = await pendingFollowUps(ctx.em);
  for (const developerId of pending.refresh) await ctx.enqueue(developerRefreshProfile, { developerId });
  for (const login of pending.enrich) await ctx.enqueue(githubSyncDeveloper, { login });
  return { refresh: pending.refresh.length, enrich: pending.enrich.length };
}
