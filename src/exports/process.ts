import { withPgClient } from '../db/sql.js';
import { PermanentError } from '../errors/index.js';
import type { Needs } from '../jobs/helpers.js';
import { runCustomReport, type ReportFormat } from '../reports/index.js';
import { slackNotify } from '../slack/jobs/slack-notify.contract.js';
import { exportConfigSchema, exportQuery, formatsFor, REQUEST_EXPORT_TYPES, type ExportFormat, type ExportType } from './definitions.js';
import { streamExport } from './writer.js';
import { formatIssues } from '../lib/zod-issues.js';
import { exportOrganization, exportPolicy } from './organization.js';
import { claimExport, completeExport, countExportRows, exportStatus, failExport, pendExport, type ExportRow } from './queries.js';

/** What producing an export uses of its caller. */
export type ExportHelpers = Needs<'em' | 'config' | 'signal' | 'attempt' | 'isLastAttempt' | 'progress' | 'step' | 'enqueueAfter' | 'scrub'>;

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
export async function processExport(ctx: ExportHelpers, exportJobId: string) {
  const row = await claim(ctx, exportJobId);
  if ('skipped' in row) return row;
  try {
    await ctx.step(`export ${exportJobId}: ${row.export_type} as ${row.format}`);
    const file = await produce(ctx, row);
    await ctx.step(`wrote ${file.rows ?? file.widgets ?? 0} ${file.rows !== undefined ? 'rows' : 'widgets'} (${file.bytes} bytes) to ${file.path}`);
    await completeExport(ctx.em, exportJobId, file, ctx.config.EXPORT_TTL_HOURS);
    if (row.requested_by) ctx.enqueueAfter(slackNotify, { kind: 'export_ready', exportJobId });
    return { exportJobId, ...file };
  } catch (err) {
    await recordFailure(ctx, exportJobId, err).catch(() => undefined);
    throw err;
  }
}

/** pending|processing → processing, or why there is nothing to do. */
async function claim(ctx: Pick<ExportHelpers, 'em'>, exportJobId: string): Promise<ExportRow | { exportJobId: string; skipped: string }> {
  const row = await claimExport(ctx.em, exportJobId);
  if (row) return row;
  const current = await exportStatus(ctx.em, exportJobId);
  if (!current) throw new PermanentError(`Export ${exportJobId} does not exist`);
  return { exportJobId, skipped: `already ${current.status}` };
}

/** Validate the row (a platform may have written it) and write its file: a rendered report or a streamed query. */
async function produce(ctx: ExportHelpers, row: ExportRow): Promise<{ path: string; bytes: number; rows?: number; widgets?: number }> {
  const { em, config } = ctx;
  if (!(REQUEST_EXPORT_TYPES as readonly string[]).includes(row.export_type)) {
    throw new PermanentError(`Unsupported export_type "${row.export_type}" (supported: ${REQUEST_EXPORT_TYPES.join(', ')})`);
  }
  if (!formatsFor(row.export_type).includes(row.format)) {
    throw new PermanentError(`Unsupported format "${row.format}" for ${row.export_type} (supported: ${formatsFor(row.export_type).join(', ')})`);
  }
  const cfg = exportConfigSchema.safeParse(row.config ?? {});
  if (!cfg.success) throw new PermanentError(`Invalid export config: ${formatIssues(cfg.error)}`);
  // Checked again here: a platform may write rows directly, and memberships change.
  const org = await exportOrganization(em, row.requested_by, cfg.data);
  if ('problem' in org) throw new PermanentError(`Export refused: ${org.problem}`);
  // The policy checked again too: it may have changed since the request.
  const allowed = await exportPolicy(em, org.organizationId, row.export_type, cfg.data, row.requested_by);
  if ('problem' in allowed) throw new PermanentError(`Export refused: ${allowed.problem}`);
  const scoped = { ...cfg.data, organization_id: org.organizationId };
  if (row.export_type === 'report') {
    if (!cfg.data.report_id) throw new PermanentError('Invalid export config: report_id: is required for a report export');
    const r = await runCustomReport(em, cfg.data.report_id, row.format as ReportFormat, config.EXPORT_DIR, new Date(), org.organizationId, row.requested_by);
    await ctx.progress({ rows: r.data.widgets.length, total: r.data.widgets.length, percent: 100 });
    return { widgets: r.data.widgets.length, bytes: r.bytes, path: r.path };
  }
  const type = row.export_type as ExportType;
  const format = row.format as ExportFormat;
  const query = exportQuery(type, scoped, new Date(), { csvSafe: format === 'csv', minGroupSize: allowed.minGroupSize });
  const total = await withPgClient(em, (client) => countExportRows(client, query));
  const result = await withPgClient(em, (client) =>
    streamExport({
      client,
      query,
      format,
      dir: config.EXPORT_DIR,
      finalName: `${type}-${row.id}.${format}`,
      onProgress: (rows) => {
        // Every 10,000 rows: a shutdown stops the stream here (the temp file is removed).
        ctx.signal.throwIfAborted();
        return ctx.progress({ rows, total, percent: total ? Math.min(100, Math.round((rows / total) * 100)) : 100 });
      },
    }),
  );
  return { rows: result.rows, bytes: result.bytes, path: result.path };
}

/** The row after a failed attempt: pending again (shutdown, or a retry to come) or failed for good. */
async function recordFailure(ctx: ExportHelpers, exportJobId: string, err: unknown): Promise<void> {
  if (ctx.signal.aborted) {
    // Stopped by a shutdown: the job goes back to the queue without spending an attempt.
    await pendExport(ctx.em, exportJobId, 'interrupted by a worker shutdown; resumes on the next worker');
    return;
  }
  const message = ctx.scrub((err as Error).message);
  if (err instanceof PermanentError || ctx.isLastAttempt) {
    await failExport(ctx.em, exportJobId, message);
  } else {
    await pendExport(ctx.em, exportJobId, `attempt ${ctx.attempt} failed, will retry: ${message}`);
  }
}
