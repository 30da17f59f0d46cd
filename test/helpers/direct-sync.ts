import type { EntityManager } from '@mikro-orm/postgresql';
import type { Redis } from 'ioredis';
import type { GitHubStandIn } from '../../src/dev/github-stand-in.js';
import { createGitHubClient } from '../../src/github/api/client.js';
import { createLogger } from '../../src/lib/logger.js';
import { randomPrefix } from './redis.js';

/**
 * What a stream of the sync is given when a test runs it directly, not through a job: a client of
 * the stand-in with a rate budget of its own and no waits (`maxInlineWaitSeconds: 0`, 10 ms retry
 * backoff), a quiet logger, and a first sync of all history (`initialDays: 0`).
 */
export function directSync(gh: GitHubStandIn, redis: Redis, em: EntityManager) {
  const log = createLogger('silent');
  const octokit = createGitHubClient({ baseUrl: gh.url, token: gh.token, redis, prefix: randomPrefix(), em, log, maxInlineWaitSeconds: 0, retryBaseMs: 10 });
  return { octokit, em, log, overlapMinutes: 5, initialDays: 0 };
}
