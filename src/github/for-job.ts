import type { JobContext } from '../jobs/context.js';
import { createGitHubClient, type GitHubClient } from './client.js';

/** A GitHub client for one job run: the job's EntityManager for the ETag cache, the shared Redis budget. */
export function githubFor(ctx: JobContext): GitHubClient {
  const c = ctx.config;
  return createGitHubClient({
    baseUrl: c.GITHUB_API_URL,
    token: c.GITHUB_TOKEN,
    redis: ctx.redis,
    prefix: c.QUEUE_PREFIX,
    em: ctx.em,
    log: ctx.log,
    maxInlineWaitSeconds: c.GITHUB_MAX_INLINE_WAIT_SECONDS,
    retryBaseMs: c.GITHUB_RETRY_BASE_MS,
    timeoutMs: c.GITHUB_TIMEOUT_MS,
  });
}
