import type { AppConfig } from '../config/index.js';
import type { Producer } from './producer.js';
import { QUEUE_NAMES } from './names.js';
import { DEFAULT_JOB_OPTIONS, type AnyJobDefinition } from './job-definition.js';
import { githubSyncAll } from '../workers/jobs/github-sync-all.js';
import { DEVELOPERS_FOLLOW_UP_EVERY_MS, developersFollowUp } from '../workers/jobs/developers-follow-up.js';
import { exportCleanup } from '../workers/jobs/export-cleanup.js';
import { reportsReconcile } from '../workers/jobs/reports-reconcile.js';
import { insightsRefresh } from '../workers/jobs/insights-refresh.js';
import { slackFanOut } from '../workers/jobs/slack-notify.js';

export interface SchedulerInfo {
  id: string;
  queue: string;
  job: string;
  every?: number | null;
  pattern?: string | null;
  next?: number | null;
}

/** The system's periodic jobs: id, job and period. */
const PERIODIC: { id: string; job: AnyJobDefinition; every?: (c: AppConfig) => number; pattern?: string; data?: Record<string, unknown> }[] = [
  { id: 'github.sync-all', job: githubSyncAll, every: (c) => c.GITHUB_SYNC_EVERY_MINUTES * 60_000 },
  { id: 'developers.follow-up', job: developersFollowUp, every: () => DEVELOPERS_FOLLOW_UP_EVERY_MS },
  { id: 'export.cleanup', job: exportCleanup, every: () => 15 * 60_000 },
  { id: 'reports.reconcile', job: reportsReconcile, every: () => 5 * 60_000 },
  { id: 'insights.refresh', job: insightsRefresh, every: () => 60 * 60_000 },
  { id: 'slack.sync-failure-digest', job: slackFanOut, pattern: '0 8 * * *', data: { kind: 'sync_failure_digest' } },
  { id: 'slack.weekly-team-summary', job: slackFanOut, pattern: '0 9 * * 1', data: { kind: 'weekly_team_summary' } },
];

/**
 * The repeatable jobs of the system, as BullMQ job schedulers. upsertJobScheduler is idempotent, so
 * every worker process may call this at start: there is still one scheduler per id, and a changed
 * period replaces the old one.
 */
export async function ensureSchedulers(producer: Producer, config: AppConfig): Promise<SchedulerInfo[]> {
  for (const p of PERIODIC) {
    const queue = producer.queue(p.job.queue);
    await queue.waitUntilReady();
    const repeat = p.pattern ? { pattern: p.pattern, tz: 'UTC' } : { every: p.every!(config) };
    await queue.upsertJobScheduler(p.id, repeat, { name: p.job.name, data: p.data ?? {}, opts: { ...DEFAULT_JOB_OPTIONS, ...p.job.options } });
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
