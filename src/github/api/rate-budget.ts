import type { Redis } from 'ioredis';
import { RateLimitedError } from '../../errors/index.js';

/**
 * GitHub's rate-limit budget for one token, shared by every worker process through Redis.
 * Each response's x-ratelimit-* headers are recorded; before a request, a budget known to be
 * exhausted until a future reset turns into a RateLimitedError without spending a request, so
 * N workers do not each discover the limit with a 403 of their own.
 */
export class RateBudget {
  constructor(
    private readonly redis: Redis,
    private readonly key: string,
    /** Requests held back for other work (webhook-driven syncs, the UI). */
    private readonly reserve = 0,
  ) {}

  async assertAvailable(now = Date.now()): Promise<void> {
    const [remaining, reset] = await this.redis.hmget(this.key, 'remaining', 'reset');
    if (remaining === null || reset === null) return;
    const resetAt = Number(reset) * 1000;
    if (Number(remaining) <= this.reserve && resetAt > now) {
      throw new RateLimitedError(`GitHub rate limit budget exhausted (${remaining} left) until ${new Date(resetAt).toISOString()}`, new Date(resetAt + 1000));
    }
  }

  /** Record what a response said about the budget. Headers are lower-case (as Octokit gives them). */
  async record(headers: Record<string, unknown> | undefined): Promise<void> {
    const remaining = headers?.['x-ratelimit-remaining'];
    const reset = headers?.['x-ratelimit-reset'];
    if (remaining === undefined || reset === undefined) return;
    const resetSec = Number(reset);
    const ttl = Math.max(1, resetSec - Math.floor(Date.now() / 1000) + 60);
    await this.redis
      .multi()
      .hset(this.key, { remaining: String(remaining), reset: String(resetSec) })
      .expire(this.key, ttl)
      .exec();
  }
}
