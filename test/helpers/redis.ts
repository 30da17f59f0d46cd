import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { loadConfig, type AppConfig } from '../../src/config/index.js';

export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/** A BullMQ prefix no other test uses, so queues never see each other's jobs. */
export function randomPrefix(): string {
  return `aexy-test-${randomBytes(5).toString('hex')}`;
}

/** Config for a test: its own database and queue prefix, quiet logs. */
export function testConfig(overrides: Partial<Record<keyof AppConfig, string>> = {}): AppConfig {
  return loadConfig({
    NODE_ENV: 'test',
    REDIS_URL,
    QUEUE_PREFIX: randomPrefix(),
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    WORKER_CONCURRENCY: '2',
    ...overrides,
  });
}

/**
 * The settings of a sync against the GitHub stand-in: its URL and token, fast retries, rate limits
 * that park the job at once (no inline waits), and the whole history on a first sync.
 */
export function standInGitHubSettings(gh: { url: string; token: string }): Partial<Record<keyof AppConfig, string>> {
  return {
    GITHUB_API_URL: gh.url,
    GITHUB_GIT_URL: gh.url,
    GITHUB_TOKEN: gh.token,
    GITHUB_RETRY_BASE_MS: '10',
    GITHUB_MAX_INLINE_WAIT_SECONDS: '0',
    GITHUB_SYNC_INITIAL_DAYS: '0',
    // The REST path unless a test asks for git (with a mirror directory of its own).
    GITHUB_COMMITS_FROM: 'api',
    GITHUB_PULLS_FROM: 'rest',
  };
}

/** Delete every key under a prefix (a test's queues). */
export async function deletePrefix(prefix: string): Promise<void> {
  const redis = new Redis(REDIS_URL);
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length) await redis.unlink(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}
