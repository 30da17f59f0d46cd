import type { AppConfig } from '../config/index.js';
import type { AnyJobContract } from '../jobs/contract.js';
import { developerFollowUp, DEVELOPER_FOLLOW_UP_EVERY_MS } from '../profiles/jobs/developer-follow-up.contract.js';
import { exportCleanup, EXPORT_CLEANUP_EVERY_MS } from '../exports/jobs/export-cleanup.contract.js';
import { insightRefresh, INSIGHT_REFRESH_EVERY_MS } from '../insights/jobs/insight-refresh.contract.js';
import { reportReconcile, REPORT_RECONCILE_EVERY_MS } from '../reports/jobs/report-reconcile.contract.js';
import { MAP_USERS_CRON, slackFanOut, SYNC_FAILURE_DIGEST_CRON, WEEKLY_TEAM_SUMMARY_CRON } from '../slack/jobs/slack-fan-out.contract.js';
import { githubSyncAll } from '../sync/jobs/github-sync-all.contract.js';
import { retentionPrune, RETENTION_PRUNE_CRON } from '../retention/jobs/retention-prune.contract.js';
import type { Producer } from './producer.js';
import { QUEUE_NAMES } from './names.js';

export interface SchedulerInfo {
  id: string;
  queue: string;
  job: string;
  every?: number | null;
  pattern?: string | null;
  next?: number | null;
}

interface Periodic {
  id: string;
  job: AnyJobContract;
  every?: (c: AppConfig) => number;
  pattern?: string;
  data?: Record<string, unknown>;
}

/** The system's periodic jobs: id (the job's name, or what it does), contract and period. */
const PERIODIC: Periodic[] = [
  { id: 'github.sync-all', job: githubSyncAll, every: (c) => c.GITHUB_SYNC_EVERY_MINUTES * 60_000 },
  { id: 'developer.follow-up', job: developerFollowUp, every: () => DEVELOPER_FOLLOW_UP_EVERY_MS },
  { id: 'export.cleanup', job: exportCleanup, every: () => EXPORT_CLEANUP_EVERY_MS },
  { id: 'report.reconcile', job: reportReconcile, every: () => REPORT_RECONCILE_EVERY_MS },
  { id: 'insight.refresh', job: insightRefresh, every: () => INSIGHT_REFRESH_EVERY_MS },
  { id: 'slack.sync-failure-digest', job: slackFanOut, pattern: SYNC_FAILURE_DIGEST_CRON, data: { kind: 'sync_failure_digest' } },
  { id: 'slack.weekly-team-summary', job: slackFanOut, pattern: WEEKLY_TEAM_SUMMARY_CRON, data: { kind: 'weekly_team_summary' } },
  { id: 'slack.map-users', job: slackFanOut, pattern: MAP_USERS_CRON, data: { kind: 'map_users' } },
  { id: 'retention.prune', job: retentionPrune, pattern: RETENTION_PRUNE_CRON },
];

/**
 * The repeatable jobs of the system, as BullMQ job schedulers. Upserting is idempotent, so every
 * worker process may call this at start: there is still one scheduler per id, and a changed period
 * replaces the old one. Schedulers an older version created under a job's former name are removed
 * (their id was the name), so a renamed job does not run twice.
 */
export async function ensureSchedulers(producer: Producer, config: AppConfig): Promise<SchedulerInfo[]> {
  for (const p of PERIODIC) {
    const repeat = p.pattern ? { pattern: p.pattern, tz: 'UTC' } : { every: p.every!(config) };
    await producer.upsertScheduler(p.id, repeat, p.job, p.data ?? {});
    for (const former of p.job.formerNames ?? []) await producer.queue(p.job.queue).removeJobScheduler(former);
  }
  return listSchedulers(producer);
}

export async function listSchedulers(producer: Producer): Promise<SchedulerInfo[]> {
  const out: SchedulerInfo[] = [];
  for (const name of QUEUE_NAMES) {
    const q = producer.queue(name);
    await q.waitUntilReady();
    for (const s of await q.getJobSchedulers(0, -1, true)) {
      out.push({ id: s.key, queue: name, job: s.name, every: s.every ? Number(s.every) : null, pattern: s.pattern ?? null, next: s.next ?? null });
    }
  }
  return out;
}
