import type { AppConfig } from '../config/index.js';
import type { Producer } from './producer.js';
import { QUEUE_NAMES } from './names.js';
import { DEFAULT_JOB_OPTIONS } from './job-definition.js';
import { githubSyncAll } from '../workers/jobs/github-sync-all.js';
import { exportCleanup } from '../workers/jobs/export-cleanup.js';
import { reportsReconcile } from '../workers/jobs/reports-reconcile.js';
import { insightsRefresh } from '../workers/jobs/insights-refresh.js';

export interface SchedulerInfo {
  id: string;
  queue: string;
  job: string;
  every?: number | null;
  pattern?: string | null;
  next?: number | null;
}

/**
 * The repeatable jobs of the system, as BullMQ job schedulers. upsertJobScheduler is idempotent, so
 * every worker process may call this at start: there is still one scheduler per id, and a changed
 * period replaces the old one.
 */
export async function ensureSchedulers(producer: Producer, config: AppConfig): Promise<SchedulerInfo[]> {
  const queue = producer.queue(githubSyncAll.queue);
  await queue.waitUntilReady();
  await queue.upsertJobScheduler(
    'github.sync-all',
    { every: config.GITHUB_SYNC_EVERY_MINUTES * 60_000 },
    { name: githubSyncAll.name, data: {}, opts: { ...DEFAULT_JOB_OPTIONS, ...githubSyncAll.options } },
  );
  const exports = producer.queue(exportCleanup.queue);
  await exports.waitUntilReady();
  await exports.upsertJobScheduler(
    'export.cleanup',
    { every: 15 * 60_000 },
    { name: exportCleanup.name, data: {}, opts: { ...DEFAULT_JOB_OPTIONS, ...exportCleanup.options } },
  );
  const reports = producer.queue(reportsReconcile.queue);
  await reports.waitUntilReady();
  await reports.upsertJobScheduler(
    'reports.reconcile',
    { every: 5 * 60_000 },
    { name: reportsReconcile.name, data: {}, opts: { ...DEFAULT_JOB_OPTIONS, ...reportsReconcile.options } },
  );
  const insights = producer.queue(insightsRefresh.queue);
  await insights.waitUntilReady();
  await insights.upsertJobScheduler(
    'insights.refresh',
    { every: 60 * 60_000 },
    { name: insightsRefresh.name, data: {}, opts: { ...DEFAULT_JOB_OPTIONS, ...insightsRefresh.options } },
  );
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
