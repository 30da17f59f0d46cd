import { z } from 'zod';
import { githubFor } from '../../github/for-job.js';
import { defineJob } from '../../queues/job-definition.js';
import { syncCommits, syncPulls } from '../../sync/repo-sync.js';
import { developerRefreshProfile } from './developer-refresh-profile.js';

export const REPO_FULL_NAME = /^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/;

export const githubSyncRepoSchema = z
  .object({
    repository: z.string().regex(REPO_FULL_NAME, 'must be "owner/name"'),
    streams: z.array(z.enum(['commits', 'pulls'])).min(1).default(['commits', 'pulls']),
  })
  .strict();

/**
 * Incremental sync of one repository: commits (with per-file stats and languages), then pull
 * requests with their reviews. Profiles of developers whose data changed are recomputed afterwards.
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
      const developers = new Set([...(commits?.developerIds ?? []), ...(pulls?.developerIds ?? [])]);
      for (const developerId of developers) ctx.enqueueAfter(developerRefreshProfile, { developerId });
      await conn.execute(`UPDATE tracked_repositories SET last_synced_at = now(), last_error = NULL WHERE full_name = ?`, [repository]);
      return {
        repository,
        commits: commits && { fetched: commits.fetched, written: commits.written },
        pulls: pulls && { fetched: pulls.fetched, written: pulls.written, reviews: pulls.reviews },
        profilesQueued: developers.size,
      };
    } catch (err) {
      await conn
        .execute(`UPDATE tracked_repositories SET last_error = ? WHERE full_name = ?`, [(err as Error).message.slice(0, 2000), repository])
        .catch(() => undefined);
      throw err;
    }
  },
});
