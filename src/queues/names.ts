/**
 * The one registry of queue names. A queue groups jobs that share a concurrency and a failure
 * domain: a slow GitHub sync must not hold up Slack notifications.
 */
export const QUEUE_NAMES = ['system', 'github-sync', 'profiles', 'insights', 'reports', 'exports', 'slack'] as const;

export type QueueName = (typeof QUEUE_NAMES)[number];

/** What each queue holds, for the people watching it (Bull Board shows it under the queue's name). */
export const QUEUE_DESCRIPTIONS: Record<QueueName, string> = {
  system: 'Housekeeping: retention pruning of old rows, and the no-op probe',
  'github-sync':
    'GitHub and Jira syncs: repositories (commits, pull requests, reviews, deployments, issues), developers, teams, Jira issues, and the hourly sync-all',
  profiles: 'Developer profiles, activity and career paths recomputed after new work is synced',
  insights: 'Predictive insights (LLM, with the heuristic fallback) and career recommendations',
  reports: 'Scheduled and custom reports: rendering (PDF, CSV, JSON) and delivery by email and Slack',
  exports: 'Export jobs streamed to files, and the cleanup of expired files',
  slack: 'Slack notifications: alerts, digests, summaries, user mapping; every attempt logged',
};

export function isQueueName(value: string): value is QueueName {
  return (QUEUE_NAMES as readonly string[]).includes(value);
}

/** Parse a `--queues a,b` list, failing on unknown names with the list of valid ones. */
export function parseQueueList(value: string | undefined): QueueName[] {
  if (!value) return [...QUEUE_NAMES];
  const names = value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const unknown = names.filter((n) => !isQueueName(n));
  if (unknown.length > 0) {
    throw new Error(`Unknown queue(s): ${unknown.join(', ')}. Known queues: ${QUEUE_NAMES.join(', ')}`);
  }
  return [...new Set(names)] as QueueName[];
}

/**
 * The queues of a deployment: the registry's, and with GITHUB_SYNC_SHARDS > 1 the github-sync shard
 * queues (`github-sync-0` …) that repository syncs are split over by a hash of the repository, so
 * that each host consumes the shards whose git mirrors it keeps (GITHUB_SYNC_SHARDS_OWNED).
 */
export function queuesOf(config: { GITHUB_SYNC_SHARDS: number }): string[] {
  return [...QUEUE_NAMES, ...shardQueues(config.GITHUB_SYNC_SHARDS)];
}

/** The github-sync shard queues (none when there is one shard: repository syncs then stay on github-sync). */
export function shardQueues(shards: number): string[] {
  return shards > 1 ? Array.from({ length: shards }, (_, k) => shardQueue(k)) : [];
}

export function shardQueue(k: number): string {
  return `github-sync-${k}`;
}

/** The queue a shard queue belongs to (github-sync-2 → github-sync); any other name is its own. */
export function baseQueue(name: string): string {
  return /^github-sync-\d+$/.test(name) ? 'github-sync' : name;
}

/** The shard of a key (a repository's "owner/name", case-insensitive): FNV-1a of its bytes, modulo the shard count. */
export function shardOf(key: string, shards: number): number {
  let h = 0x811c9dc5;
  for (const b of Buffer.from(key.toLowerCase(), 'utf8')) {
    h ^= b;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h % shards;
}

/** The github-sync shard queues this worker consumes: GITHUB_SYNC_SHARDS_OWNED, else every shard (none with one shard). */
export function ownedShardQueues(config: { GITHUB_SYNC_SHARDS: number; GITHUB_SYNC_SHARDS_OWNED?: string }): string[] {
  if (config.GITHUB_SYNC_SHARDS <= 1) return [];
  const owned = config.GITHUB_SYNC_SHARDS_OWNED?.split(',').map(Number) ?? Array.from({ length: config.GITHUB_SYNC_SHARDS }, (_, k) => k);
  return [...new Set(owned)].map(shardQueue);
}
