import { sql, withPgClient } from '../db/sql.js';
import { PermanentError } from '../errors/index.js';
import type { JobContext } from '../jobs/context.js';
import type { ReportFormat } from '../reports/render.js';
import { runCustomReport } from '../reports/run.js';
import { slackNotify } from '../slack/jobs/slack-notify.contract.js';
import { exportConfigSchema, exportQuery, formatsFor, REQUEST_EXPORT_TYPES, type ExportFormat, type ExportType } from './definitions.js';
import { streamExport } from './writer.js';
import { formatIssues } from '../lib/zod-issues.js';

interface ExportRow {
  id: string;
  export_type: string;
  format: string;
  config: unknown;
  status: string;
  requested_by: string | null;
}

/**
 * Produce the file of one export_jobs row, a small state machine kept in the row itself:
 *
 *   pending ──claim──▶ processing ──file written──▶ completed (file_path, file_size_bytes,
 *      ▲                   │                                    completed_at, expires_at)
 *      └── attempt failed ─┤ (error_message says "will retry")
 *                          └── last attempt or permanent ──▶ failed (error_message)
 *
 * Idempotent: a completed (or failed) export is not redone; a re-delivered one that was mid-way
 * simply writes its file again (atomically: a temp file renamed into place). A requester is told
 * on Slack once the row is committed.
 */
export async function processExport(ctx: JobContext, exportJobId: string) {
  const { em, config, job } = ctx;
  const [row] = await sql<ExportRow>(
    em,
    `UPDATE export_jobs SET status = 'processing', error_message = NULL
      WHERE id = ? AND status IN ('pending', 'processing') RETURNING id, export_type, format, config, status, requested_by`,
    [exportJobId],
  );
  if (!row) {
    const [current] = await sql<{ status: string }>(em, `SELECT status FROM export_jobs WHERE id = ?`, [exportJobId]);
    if (!current) throw new PermanentError(`Export ${exportJobId} does not exist`);
    return { exportJobId, skipped: `already ${current.status}` };
  }

  const complete = (path: string, bytes: number) =>
    sql(
      em,
      `UPDATE export_jobs SET status = 'completed', file_path = ?, file_size_bytes = ?, completed_at = now(),
              expires_at = now() + make_interval(hours => ?), error_message = NULL WHERE id = ?`,
      [path, bytes, config.EXPORT_TTL_HOURS, exportJobId],
    );
  const requestedBy = row.requested_by;
  const fail = async (message: string) => {
    await sql(em, `UPDATE export_jobs SET status = 'failed', error_message = ?, completed_at = now() WHERE id = ?`, [message, exportJobId]);
  };
  try {
    if (!(REQUEST_EXPORT_TYPES as readonly string[]).includes(row.export_type)) {
      throw new PermanentError(`Unsupported export_type "${row.export_type}" (supported: ${REQUEST_EXPORT_TYPES.join(', ')})`);
    }
    if (!formatsFor(row.export_type).includes(row.format)) {
      throw new PermanentError(`Unsupported format "${row.format}" for ${row.export_type} (supported: ${formatsFor(row.export_type).join(', ')})`);
    }
    const cfg = exportConfigSchema.safeParse(row.config ?? {});
    if (!cfg.success) {
      throw new PermanentError(`Invalid export config: ${formatIssues(cfg.error)}`);
    }
    if (row.export_type === 'report') {
      if (!cfg.data.report_id) throw new PermanentError('Invalid export config: report_id: is required for a report export');
      const r = await runCustomReport(em, cfg.data.report_id, row.format as ReportFormat, config.EXPORT_DIR);
      await job.updateProgress({ rows: r.data.widgets.length, total: r.data.widgets.length, percent: 100 });
      await complete(r.path, r.bytes);
      if (requestedBy) ctx.enqueueAfter(slackNotify, { kind: 'export_ready', exportJobId });
      return { exportJobId, widgets: r.data.widgets.length, bytes: r.bytes, path: r.path };
    }
    const type = row.export_type as ExportType;
    const format = row.format as ExportFormat;
    const query = exportQuery(type, cfg.data, new Date(), { csvSafe: format === 'csv' });
    const total = await withPgClient(em, async (client) => {
      const r = await client.query<{ n: string }>(`SELECT count(*) AS n FROM (${query.sql}) q`, query.params);
      return Number(r.rows[0]!.n);
    });
    const result = await withPgClient(em, (client) =>
      streamExport({
        client,
        query,
        format,
        dir: config.EXPORT_DIR,
        finalName: `${type}-${exportJobId}.${format}`,
        onProgress: (rows) => {
          // Every 10,000 rows: a shutdown stops the stream here (the temp file is removed).
          ctx.signal.throwIfAborted();
          return job.updateProgress({ rows, total, percent: total ? Math.min(100, Math.round((rows / total) * 100)) : 100 });
        },
      }),
    );
    await complete(result.path, result.bytes);
    if (requestedBy) ctx.enqueueAfter(slackNotify, { kind: 'export_ready', exportJobId });
    return { exportJobId, rows: result.rows, bytes: result.bytes, path: result.path };
  } catch (err) {
    if (ctx.signal.aborted) {
      // Stopped by a shutdown: the job goes back to the queue without spending an attempt.
      await sql(em, `UPDATE export_jobs SET status = 'pending', error_message = 'interrupted by a worker shutdown; resumes on the next worker' WHERE id = ?`, [
        exportJobId,
      ]).catch(() => undefined);
      throw err;
    }
    const message = ctx.scrub((err as Error).message);
    const lastAttempt = err instanceof PermanentError || ctx.isLastAttempt;
    if (lastAttempt) await fail(message).catch(() => undefined);
    else
      await sql(em, `UPDATE export_jobs SET status = 'pending', error_message = ? WHERE id = ?`, [
        `attempt ${job.attemptsMade + 1} failed, will retry: ${message}`,
        exportJobId,
      ]).catch(() => undefined);
    throw err;
  }
}
