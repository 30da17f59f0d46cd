import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { z } from 'zod';
import { sql } from '../../db/sql.js';
import { sendEmail, splitRecipients } from '../../delivery/email.js';
import { deliverReportToSlack } from '../../slack/report-delivery.js';
import { PermanentError } from '../../queues/errors.js';
import { defineJob } from '../../queues/job-definition.js';
import { REPORT_FORMATS, type ReportFormat } from '../../reports/render.js';
import { runCustomReport } from '../../reports/run.js';
import { monthlyTargetDay, nextRun, previousRun, scheduleSchema } from '../../schedules/next-run.js';

export const reportDeliverSchema = z.object({ scheduledReportId: z.uuid({ message: 'must be a scheduled_reports UUID' }) }).strict();

const CONTENT_TYPES: Record<ReportFormat, string> = { pdf: 'application/pdf', csv: 'text/csv', json: 'application/json' };

interface ScheduledRow {
  id: string;
  report_id: string | null;
  schedule: string;
  day_of_week: number | null;
  day_of_month: number | null;
  time_utc: string | null;
  recipients: string[] | null;
  delivery_method: string | null;
  export_format: string | null;
  is_active: boolean | null;
  last_sent_at: string | null;
}

/**
 * Fired by the row's job scheduler: render the report and deliver it once per scheduled slot.
 * "Once" is enforced against last_sent_at, so a re-delivered job, or the single catch-up run BullMQ
 * makes after workers were down, never sends a slot twice.
 */
export const reportDeliver = defineJob({
  name: 'report.deliver',
  queue: 'reports',
  schema: reportDeliverSchema,
  options: { attempts: 5, backoff: { type: 'exponential', delay: 30_000 } },
  deduplicationId: (d) => `report.deliver-${d.scheduledReportId}`,
  async process({ scheduledReportId }, { em, config, log, job, progress }) {
    const now = new Date();
    const [row] = await sql<ScheduledRow>(em, `SELECT * FROM scheduled_reports WHERE id = ?`, [scheduledReportId]);
    if (!row) return { skipped: 'schedule deleted' };
    if (row.is_active === false) return { skipped: 'schedule inactive' };
    const parsed = scheduleSchema.safeParse(row);
    if (!parsed.success) throw new PermanentError(`Scheduled report ${row.id} has an invalid schedule: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
    const schedule = parsed.data;
    if (schedule.schedule === 'monthly' && schedule.day_of_month! > 28) {
      // The cron fires on days 28-31; only the clamped target day delivers.
      if (now.getUTCDate() !== monthlyTargetDay(schedule.day_of_month!, now.getUTCFullYear(), now.getUTCMonth())) return { skipped: 'not the target day this month' };
    }
    // A minute of tolerance: the tick can run slightly before its nominal time on a skewed clock.
    const slot = previousRun(schedule, new Date(now.getTime() + 60_000));
    if (row.last_sent_at && new Date(row.last_sent_at) >= slot) return { skipped: `slot ${slot.toISOString()} already delivered` };
    if (!row.report_id) throw new PermanentError(`Scheduled report ${row.id} has no report`);

    const format = (REPORT_FORMATS as readonly string[]).includes(row.export_format ?? 'pdf') ? ((row.export_format ?? 'pdf') as ReportFormat) : null;
    if (!format) throw new PermanentError(`Scheduled report ${row.id}: unsupported export_format "${row.export_format}"`);
    const method = row.delivery_method ?? 'email';
    if (!['email', 'slack', 'both'].includes(method)) throw new PermanentError(`Scheduled report ${row.id}: unsupported delivery_method "${method}"`);
    const recipients = row.recipients ?? [];
    const isChannel = (r: string) => /^[CG][A-Z0-9]{2,}$/.test(r);
    const { valid, invalid } = splitRecipients(recipients.filter((r) => !isChannel(r)));
    if (invalid.length) log.warn({ scheduledReportId, invalid }, 'skipping invalid recipients');
    if (method !== 'slack' && valid.length === 0) throw new PermanentError(`Scheduled report ${row.id} has no valid email recipients`);

    const rendered = await runCustomReport(em, row.report_id, format, config.EXPORT_DIR, now);
    const filename = basename(rendered.path).replace(/-\d{4}-\d\d-\d\dT.*(\.\w+)$/, '$1');
    const bytes = await readFile(rendered.path);
    const period = `${rendered.data.window.start.slice(0, 10)} to ${rendered.data.window.end.slice(0, 10)}`;
    const result: Record<string, unknown> = { scheduledReportId, slot: slot.toISOString(), file: rendered.path };
    // Which channels already got this slot, recorded on the job itself (BullMQ keeps progress across
    // attempts): with "both", a retry after the email failed must not post to Slack a second time.
    const delivered = deliveredChannels(job.progress, slot);
    const markDelivered = async (channel: 'slack' | 'email') => {
      delivered.add(channel);
      await progress({ slot: slot.toISOString(), delivered: [...delivered] });
    };

    if ((method === 'slack' || method === 'both') && delivered.has('slack')) result.slack = 'already posted by an earlier attempt';
    else if (method === 'slack' || method === 'both') {
      const [report] = await sql<{ organization_id: string | null }>(em, `SELECT organization_id FROM custom_reports WHERE id = ?`, [row.report_id]);
      const posted = await deliverReportToSlack(em, config, {
        organizationId: report?.organization_id ?? null,
        recipients,
        reportName: rendered.data.report.name,
        period,
        filename,
        bytes,
        summary: rendered.data.widgets
          .filter((w) => w.type === 'number')
          .map((w) => `${w.title}: ${w.value ?? '—'} ${w.unit ?? ''}`.trim()),
      });
      result.slack = posted;
      await markDelivered('slack');
    }
    if ((method === 'email' || method === 'both') && delivered.has('email')) result.email = 'already sent by an earlier attempt';
    else if (method === 'email' || method === 'both') {
      const sent = await sendEmail(config, {
        to: valid,
        subject: `${rendered.data.report.name} — ${schedule.schedule} report for ${slot.toISOString().slice(0, 10)}`,
        text: `Your ${schedule.schedule} report "${rendered.data.report.name}" covering ${period} is attached.\n`,
        attachments: [{ filename, content: bytes, contentType: CONTENT_TYPES[format] }],
      });
      result.recipients = sent.accepted.length;
      result.messageId = sent.messageId;
      await markDelivered('email');
    }
    await sql(em, `UPDATE scheduled_reports SET last_sent_at = ?, next_run_at = ? WHERE id = ?`, [now.toISOString(), nextRun(schedule, now).toISOString(), row.id]);
    return result;
  },
});

/** The channels an earlier attempt of this job delivered for `slot` (progress of another slot counts for nothing). */
function deliveredChannels(progress: unknown, slot: Date): Set<string> {
  const p = progress as { slot?: unknown; delivered?: unknown } | null;
  if (!p || typeof p !== 'object' || p.slot !== slot.toISOString() || !Array.isArray(p.delivered)) return new Set();
  return new Set(p.delivered.filter((c): c is string => typeof c === 'string'));
}
