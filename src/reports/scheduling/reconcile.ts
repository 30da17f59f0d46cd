import type { Needs } from '../../jobs/helpers.js';
import type { Producer } from '../../queues/producer.js';
import { allSchedules, clearInactiveNextRuns, setNextRun } from '../queries.js';
import { issueLines } from '../../lib/zod-issues.js';
import { cronPattern, nextRun, scheduleSchema } from './next-run.js';
import { reportDeliver } from '../jobs/report-deliver.contract.js';

/** Scheduler ids of scheduled_reports rows: this prefix and the row id. */
export const SCHEDULED_REPORT_PREFIX = 'scheduled-report-';

/**
 * Make the BullMQ job schedulers mirror scheduled_reports: one scheduler per active row with a valid
 * schedule (cron in UTC), none for inactive, invalid or deleted rows; next_run_at kept in step.
 * Runs on its own schedule, so rows added or changed directly in the database are picked up.
 */
export async function reconcileReportSchedulers(ctx: Needs<'em' | 'log'>, producer: Pick<Producer, 'queue' | 'upsertScheduler'>) {
  const { log } = ctx;
  const queue = producer.queue(reportDeliver.queue);
  await queue.waitUntilReady();
  const rows = await allSchedules(ctx.em);
  const wanted = new Set<string>();
  let upserted = 0;
  let invalid = 0;
  for (const row of rows) {
    if (row.is_active === false) continue;
    const parsed = scheduleSchema.safeParse(row);
    if (!parsed.success) {
      invalid += 1;
      log.warn({ scheduledReportId: row.id, problems: issueLines(parsed.error) }, 'invalid schedule: not scheduled');
      continue;
    }
    const id = `${SCHEDULED_REPORT_PREFIX}${row.id}`;
    wanted.add(id);
    const pattern = cronPattern(parsed.data);
    const existing = await queue.getJobScheduler(id);
    if (existing?.pattern !== pattern) {
      await producer.upsertScheduler(id, { pattern, tz: 'UTC' }, reportDeliver, { scheduledReportId: row.id });
      upserted += 1;
    }
    const next = nextRun(parsed.data, new Date()).toISOString();
    if (!row.next_run_at || new Date(row.next_run_at).toISOString() !== next) {
      await setNextRun(ctx.em, row.id, next);
    }
  }
  let removed = 0;
  for (const s of await queue.getJobSchedulers(0, -1, true)) {
    if (s.key.startsWith(SCHEDULED_REPORT_PREFIX) && !wanted.has(s.key)) {
      await queue.removeJobScheduler(s.key);
      removed += 1;
    }
  }
  await clearInactiveNextRuns(ctx.em);
  return { active: wanted.size, upserted, removed, invalid };
}
