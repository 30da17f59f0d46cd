import { rm } from 'node:fs/promises';
import { z } from 'zod';
import { sql } from '../../db/sql.js';
import { defineJob } from '../../queues/job-definition.js';
import { exportProcess } from './export-process.js';

/**
 * Scheduled housekeeping of export_jobs:
 * - expired files are deleted and their rows marked `expired` (file_path cleared);
 * - pending rows older than EXPORT_ORPHAN_MINUTES are queued again: a producer that crashed between
 *   its INSERT and its enqueue must not leave an export "pending" forever. Re-queuing is safe:
 *   export.process is deduplicated per export and skips finished ones.
 */
export const exportCleanup = defineJob({
  name: 'export.cleanup',
  queue: 'exports',
  schema: z.object({}).strict(),
  options: { attempts: 5 },
  async process(_data, ctx) {
    const { em, config, log } = ctx;
    const expired = await sql<{ id: string; file_path: string | null }>(
      em,
      `SELECT id, file_path FROM export_jobs WHERE status = 'completed' AND expires_at <= now() ORDER BY expires_at LIMIT 1000`,
    );
    for (const e of expired) {
      if (e.file_path) await rm(e.file_path, { force: true });
      await sql(em, `UPDATE export_jobs SET status = 'expired', file_path = NULL WHERE id = ? AND status = 'completed'`, [e.id]);
    }
    const orphans = await sql<{ id: string }>(
      em,
      `SELECT id FROM export_jobs WHERE status = 'pending' AND created_at < now() - make_interval(mins => ?) ORDER BY created_at LIMIT 1000`,
      [config.EXPORT_ORPHAN_MINUTES],
    );
    for (const o of orphans) ctx.enqueueAfter(exportProcess, { exportJobId: o.id });
    if (expired.length || orphans.length) log.info({ expired: expired.length, requeued: orphans.length }, 'export cleanup');
    return { expired: expired.length, requeued: orphans.length };
  },
});
