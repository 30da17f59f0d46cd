import { DeferredError } from '../../errors/index.js';
import { githubFor, gitTokenOf, type GitHubHelpers } from '../api/for-job.js';
import type { Needs } from '../../jobs/helpers.js';
import { drainFollowUps } from '../../people/index.js';
import { organizationToEvaluate } from '../../agreements/index.js';
import { agreementEvaluate } from '../../agreements/jobs/agreement-evaluate.contract.js';
import { syncCommits } from './commit-sync.js';
import { syncPulls } from './pull-stream.js';
import { syncIssues } from './issue-stream.js';
import { syncDeployments } from './deployment-stream.js';
import { openMirror } from './git.js';
import { gitFallbackReason, type GitFallbackReason } from './git-fallbacks.js';
import { recordGitFallback } from '../sql/git-fallbacks.js';
import { recordSyncError, recordSyncSuccess } from '../sql/tracked.js';

import type { SyncStream } from '../../entities/github-sync-cursor.js';

/** What a repository's sync uses of its caller. */
export type SyncHelpers = GitHubHelpers & Needs<'signal' | 'scrub' | 'progress' | 'step' | 'enqueue'>;

/**
 * Incremental sync of one repository: commits of the default branch (with per-file stats,
 * languages and parents), then pull requests with their reviews. The outcome is recorded on its
 * tracked_repositories row (last_synced_at, or last_error scrubbed of secrets). Every chunk written
 * marks its developers in developer_dirty; the marks are drained into profile refreshes (and
 * GitHub user fetches for developers seen for the first time) when the run ends, however it ends.
 */
export async function syncRepository(ctx: SyncHelpers, repository: string, streams: readonly SyncStream[]) {
  try {
    const result = await syncWith(ctx, repository, streams);
    // New work can keep or break a working agreement: its organization's are evaluated now.
    const organizationId = await organizationToEvaluate(ctx.em, repository);
    if (organizationId) await ctx.enqueue(agreementEvaluate, { organizationId });
    return result;
  } catch (err) {
    // Stopped by a shutdown, or deferred behind another run of its commit stream: not a failure of the repository.
    if (ctx.signal.aborted || err instanceof DeferredError) throw err;
    await recordSyncError(ctx.em, repository, ctx.scrub((err as Error).message).slice(0, 2000)).catch(() => undefined);
    throw err;
  } finally {
    // Paused, failed or done: the chunks already committed get their follow-ups now.
    await drainFollowUps(ctx).catch((err: Error) => ctx.log.warn({ err: err.message }, 'follow-ups not queued; the developer.follow-up scheduler will'));
  }
}

async function syncWith(ctx: SyncHelpers, repository: string, streams: readonly SyncStream[]) {
  // The repository's owner decides the credentials (with a GitHub App: its installation there).
  const octokit = await githubFor(ctx, repository.split('/')[0]);
  let gitFallback: GitFallbackReason | undefined;
  const common = {
    octokit,
    em: ctx.em,
    log: ctx.log,
    repo: repository,
    overlapMinutes: ctx.config.GITHUB_SYNC_OVERLAP_MINUTES,
    initialDays: ctx.config.GITHUB_SYNC_INITIAL_DAYS,
    progress: (p: Record<string, unknown>) => ctx.progress({ repository, ...p }),
    signal: ctx.signal,
    pullsFrom: ctx.config.GITHUB_PULLS_FROM,
    deploymentsFrom: ctx.config.GITHUB_DEPLOYMENTS_FROM,
    // Commits from a git mirror (no API request per commit); the API only when git is missing or the
    // remote refuses the repository (counted); any other git failure is retried like every failure.
    mirror:
      ctx.config.GITHUB_COMMITS_FROM === 'git'
        ? async () => {
            try {
              return await openMirror(ctx.config, repository, await gitTokenOf(octokit), ctx.signal);
            } catch (err) {
              const reason = gitFallbackReason(err);
              if (ctx.signal.aborted || !reason) throw err;
              gitFallback = reason;
              await recordGitFallback(ctx.em, reason);
              ctx.log.warn({ repository, reason, err: ctx.scrub((err as Error).message) }, 'no git mirror: reading commits from the API');
              return null;
            }
          }
        : undefined,
  };
  await ctx.step(`syncing ${repository}: ${streams.join(' and ')}`, { commitsFrom: ctx.config.GITHUB_COMMITS_FROM, pullsFrom: ctx.config.GITHUB_PULLS_FROM });
  const commits = streams.includes('commits') ? await syncCommits(common) : null;
  if (commits)
    await ctx.step(`commits: ${commits.written} stored, ${commits.removed} removed, of ${commits.fetched} new on the branch`, {
      source: commits.source ?? 'api',
      head: commits.head,
    });
  const pulls = streams.includes('pulls') ? await syncPulls(common) : null;
  if (pulls) await ctx.step(`pull requests: ${pulls.written} written with ${pulls.reviews} reviews, of ${pulls.fetched} listed`, { source: pulls.source });
  const deployments = streams.includes('deployments')
    ? await syncDeployments({ ...common, production: new RegExp(ctx.config.PRODUCTION_ENVIRONMENT_PATTERN, 'i') })
    : null;
  if (deployments) await ctx.step(`deployments: ${deployments.written} written, of ${deployments.fetched} listed`, { source: deployments.source });
  const issues = streams.includes('issues') ? await syncIssues(common) : null;
  if (issues) await ctx.step(`issues: ${issues.written} written, of ${issues.fetched} listed`, {});
  await recordSyncSuccess(ctx.em, repository);
  return {
    repository,
    commits: commits && {
      fetched: commits.fetched,
      written: commits.written,
      removed: commits.removed,
      head: commits.head,
      source: commits.source ?? 'api',
      ...(gitFallback ? { gitFallback } : {}),
      ...(commits.mirrorBytes !== undefined ? { mirrorBytes: commits.mirrorBytes } : {}),
    },
    pulls: pulls && {
      fetched: pulls.fetched,
      written: pulls.written,
      reviews: pulls.reviews,
      source: pulls.source,
      ...(pulls.points !== undefined ? { points: pulls.points } : {}),
    },
    ...(deployments
      ? { deployments: { fetched: deployments.fetched, written: deployments.written, source: deployments.source, shipped: deployments.shipped } }
      : {}),
    ...(issues ? { issues: { fetched: issues.fetched, written: issues.written, pullRequests: issues.pullRequests } } : {}),
  };
}
