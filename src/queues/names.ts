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
