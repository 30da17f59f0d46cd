import { z } from 'zod';
import { githubFor } from '../../github/for-job.js';
import { defineJob } from '../../queues/job-definition.js';
import { syncCommits } from '../../sync/commit-sync.js';
import { syncPulls } from '../../sync/repo-sync.js';
import { drainFollowUps } from './developers-follow-up.js';

export const REPO_FULL_NAME = /^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/;

export const githubSyncRepoSchema = z
  .object({
    repository: z.string().regex(REPO_FULL_NAME, 'must be "owner/name"'),
    streams: z.array(z.enum(['commits', 'pulls'])).min(1).default(['commits', 'pulls']),
  })
  .strict();

/**
 * Incremental sync of one repository: commits of the default branch (with per-file stats,
 * languages and parents), then pull requests with their reviews. Every chunk written marks its
 * developers in developer_dirty; the marks are drained into profile refreshes (and GitHub user
 * fetches for developers seen for the first time) when the run ends, however it ends.
 */
export const githubSyncRepo = defineJob({
  name: 'github.sync-repo',
  queue: 'github-sync',
  schema: githubSyncRepoSchema,
  options: { attempts: 6, backoff: { type: 'exponential', delay: 5_000 } },
  deduplicationId: (d) => `github.sync-repo-${d.repository}-${[...d.streams].sort().join('+')}`,
  async process({ repository, streams }, ctx) {
    const octokit = githubFor(ctx);
    const common = {
      octokit,
      em: ctx.em,
      log: ctx.log,
      repo: repository,
      overlapMinutes: ctx.config.GITHUB_SYNC_OVERLAP_MINUTES,
      initialDays: ctx.config.GITHUB_SYNC_INITIAL_DAYS,
      progress: (p: Record<string, unknown>) => ctx.progress({ repository, ...p }),
    };
    const conn = ctx.em.getConnection();
    try {
      const commits = streams.includes('commits') ? await syncCommits(common) : null;
      const pulls = streams.includes('pulls') ? await syncPulls(common) : null;
      await conn.execute(`UPDATE tracked_repositories SET last_synced_at = now(), last_error = NULL WHERE full_name = ?`, [repository]);
      return {
        repository,
        commits: commits && { fetched: commits.fetched, written: commits.written, removed: commits.removed, head: commits.head },
        pulls: pulls && { fetched: pulls.fetched, written: pulls.written, reviews: pulls.reviews },
      };
    } catch (err) {
      await conn
        .execute(`UPDATE tracked_repositories SET last_error = ? WHERE full_name = ?`, [ctx.scrub((err as Error).message).slice(0, 2000), repository])
        .catch(() => undefined);
      throw err;
    } finally {
      // Paused, failed or done: the chunks already committed get their follow-ups now.
      await drainFollowUps(ctx).catch((err: Error) => ctx.log.warn({ err: err.message }, 'follow-ups not queued; the developers.follow-up scheduler will'));
    }
  },
});
