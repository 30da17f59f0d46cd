import { readFile } from 'node:fs/promises';
import type { Logger } from 'pino';
import { sendEmail, splitRecipients } from './email.js';
import { basename } from 'node:path';
import { reportFileUrl } from '../../lib/download-links.js';
import { periodLabel } from '../../lib/dates.js';
import { keyNumberLine, reportEmail } from '../email.js';
import { PermanentError } from '../../errors/index.js';
import type { Needs } from '../../jobs/helpers.js';
import { claimDelivery, markDelivered, recordSent, releaseDelivery, scheduledReport, type ScheduledRow } from '../queries.js';
import { monthlyTargetDay, nextRun, previousRun, scheduleSchema, type Schedule } from '../scheduling/next-run.js';
import { isSlackChannelId } from '../../slack/index.js';
import { deliverReportToSlack } from './slack.js';
import { formatIssues } from '../../lib/zod-issues.js';
import { REPORT_FORMATS, type ReportFormat } from '../render.js';
import { runCustomReport, type RenderedReport } from '../run.js';

const CONTENT_TYPES: Record<ReportFormat, string> = { pdf: 'application/pdf', csv: 'text/csv', json: 'application/json' };

type Channel = 'email' | 'slack';

/**
 * Render a scheduled report and deliver it once per scheduled slot. "Once" is enforced against
 * last_sent_at (a re-delivered job, or the single catch-up run BullMQ makes after workers were
 * down) and by claiming each channel of the slot in report_deliveries before sending (two jobs at
 * once for one slot: a scheduler tick and a manual run, a retry from the board, a stalled copy).
 */
export async function deliverScheduledReport(
  ctx: Needs<'em' | 'config' | 'log' | 'step' | 'progress'>,
  scheduledReportId: string,
  run: DeliveryRun,
): Promise<Record<string, unknown>> {
  const { em, log } = ctx;
  const now = new Date();
  const due = await dueSlot(ctx, scheduledReportId, run.firedAt ?? now);
  if ('skipped' in due) return due;
  const { row, schedule, slot } = due;
  const plan = deliveryPlan(row, log);

  const rendered = await runCustomReport(em, row.report_id!, plan.format, ctx.config.EXPORT_DIR, now);
  await ctx.step(`rendered the report for the slot of ${slot.toISOString()} as ${plan.format} (${rendered.bytes} bytes)`, { channels: plan.channels });
  const result: Record<string, unknown> = { scheduledReportId, slot: slot.toISOString(), file: rendered.path };
  // Each channel of the slot is claimed in PostgreSQL before sending and marked sent after, so two
  // jobs for one slot never both send it; with "both", a retry after the email failed does not post
  // to Slack again.
  let heldElsewhere = false;
  // One channel failing does not keep the other from its delivery: the failure is raised after both were tried.
  let failure: unknown;
  for (const channel of plan.channels) {
    const claim = await claimDelivery(em, row.id, slot, channel, run.holder);
    if (claim !== 'claimed') {
      result[channel] = claim === 'sent' ? 'already delivered for this slot' : 'being delivered by another job';
      heldElsewhere ||= claim === 'held';
      continue;
    }
    try {
      Object.assign(result, await send(ctx, channel, { row, schedule, slot, rendered, format: plan.format, recipients: plan.recipients, emails: plan.emails }));
    } catch (err) {
      // Refused or failed before delivery: the slot is free again for this job's retry or another run.
      await releaseDelivery(em, row.id, slot, channel, run.holder).catch(() => undefined);
      failure ??= err;
      continue;
    }
    await markDelivered(em, row.id, slot, channel);
    await ctx.step(channel === 'email' ? `emailed to ${plan.emails.length} recipient(s)` : `delivered by ${channel}`);
    await ctx.progress({ slot: slot.toISOString(), delivered: channel });
  }
  if (failure) throw failure;
  // The job holding a channel records the slot as sent when it is done.
  if (heldElsewhere) return result;
  await recordSent(em, row.id, now, nextRun(schedule, now));
  return result;
}

/**
 * One run of a delivery: who holds the slot's channels while sending (a job's id), and the time a job
 * scheduler fired it for (null for a run queued by hand: it delivers the latest slot).
 */
export interface DeliveryRun {
  holder: string;
  firedAt: Date | null;
}

/**
 * The slot this run delivers, or why it delivers nothing. `firedAt` is the time the job was fired for,
 * not the time it runs: a run caught up after an outage, or a retry that crosses midnight, still
 * delivers the slot it was fired for.
 */
async function dueSlot(
  ctx: Needs<'em'>,
  scheduledReportId: string,
  firedAt: Date,
): Promise<{ row: ScheduledRow; schedule: Schedule; slot: Date } | { skipped: string }> {
  const row = await scheduledReport(ctx.em, scheduledReportId);
  if (!row) return { skipped: 'schedule deleted' };
  if (row.is_active === false) return { skipped: 'schedule inactive' };
  const parsed = scheduleSchema.safeParse(row);
  if (!parsed.success) throw new PermanentError(`Scheduled report ${row.id} has an invalid schedule: ${formatIssues(parsed.error)}`);
  const schedule = parsed.data;
  if (schedule.schedule === 'monthly' && schedule.day_of_month! > 28) {
    // The cron fires on days 28-31; only the firing on the clamped target day delivers.
    if (firedAt.getUTCDate() !== monthlyTargetDay(schedule.day_of_month!, firedAt.getUTCFullYear(), firedAt.getUTCMonth())) {
      return { skipped: `not the target day of ${firedAt.toISOString().slice(0, 7)}` };
    }
  }
  // A minute of tolerance: the tick can run slightly before its nominal time on a skewed clock.
  const slot = previousRun(schedule, new Date(firedAt.getTime() + 60_000));
  if (row.last_sent_at && new Date(row.last_sent_at) >= slot) return { skipped: `slot ${slot.toISOString()} already delivered` };
  if (!row.report_id) throw new PermanentError(`Scheduled report ${row.id} has no report`);
  return { row, schedule, slot };
}

/** Format, channels and recipients of a row, refusing what cannot be delivered. */
function deliveryPlan(row: ScheduledRow, log: Logger): { format: ReportFormat; channels: Channel[]; recipients: string[]; emails: string[] } {
  const format = (REPORT_FORMATS as readonly string[]).includes(row.export_format ?? 'pdf') ? ((row.export_format ?? 'pdf') as ReportFormat) : null;
  if (!format) throw new PermanentError(`Scheduled report ${row.id}: unsupported export_format "${row.export_format}"`);
  const method = row.delivery_method ?? 'email';
  if (!['email', 'slack', 'both'].includes(method)) throw new PermanentError(`Scheduled report ${row.id}: unsupported delivery_method "${method}"`);
  // recipients is TEXT[] written by the platform: NULL entries (or NULL for the array) are skipped
  // like any other invalid recipient, with a warning, never a TypeError retried five times.
  const listed = row.recipients ?? [];
  const recipients = listed.filter((r): r is string => typeof r === 'string');
  const { valid, invalid } = splitRecipients(recipients.filter((r) => !isSlackChannelId(r)));
  if (invalid.length || recipients.length < listed.length) {
    log.warn({ scheduledReportId: row.id, invalid, nulls: listed.length - recipients.length }, 'skipping invalid recipients');
  }
  if (method !== 'slack' && valid.length === 0) throw new PermanentError(`Scheduled report ${row.id} has no valid email recipients`);
  const channels = (method === 'both' ? ['slack', 'email'] : [method]) as Channel[];
  return { format, channels, recipients, emails: valid };
}

/** Send the rendered report on one channel; returns what the job reports about it. */
async function send(
  ctx: Needs<'em' | 'config'>,
  channel: Channel,
  d: { row: ScheduledRow; schedule: Schedule; slot: Date; rendered: RenderedReport; format: ReportFormat; recipients: string[]; emails: string[] },
): Promise<Record<string, unknown>> {
  const { em, config } = ctx;
  const { row, slot, rendered } = d;
  const mail = reportEmail(rendered.data, { schedule: d.schedule.schedule, slot, format: d.format });
  const filename = mail.filename;
  const bytes = await readFile(rendered.path);
  const period = periodLabel(rendered.data.window.start, rendered.data.window.end);
  if (channel === 'slack') {
    const slack = await deliverReportToSlack(em, config, {
      // The organization the report was rendered for (its own, or its creator's only one).
      organizationId: rendered.data.report.organizationId,
      recipients: d.recipients,
      reportName: rendered.data.report.name,
      period,
      filename,
      bytes,
      summary: rendered.data.widgets.filter((w) => w.type === 'number').map(keyNumberLine),
      // One key per schedule and slot, like the email's Message-ID: a retry or another job for the
      // slot finds the message an interrupted attempt posted.
      key: `report:${row.id}:${slot.getTime()}`,
      // Kept as long as report files are (export.cleanup removes them after EXPORT_TTL_HOURS).
      downloadUrl: reportFileUrl(config, basename(rendered.path), filename, new Date(Date.now() + config.EXPORT_TTL_HOURS * 3_600_000)),
    });
    return { slack };
  }
  const sent = await sendEmail(config, {
    to: d.emails,
    subject: mail.subject,
    text: mail.text,
    html: mail.html,
    attachments: [{ filename, content: bytes, contentType: CONTENT_TYPES[d.format] }],
    // One Message-ID per schedule and slot: if a worker dies after the server accepted the mail and
    // the slot is sent again, mail clients see the same message twice and show it once.
    messageId: `<report-${row.id}-${slot.getTime()}@aexy-workers>`,
  });
  return { recipients: sent.accepted.length, messageId: sent.messageId };
}

/**
 * When a job scheduler's job was due: BullMQ names them `repeat:<scheduler id>:<due time in ms>`.
 * Jobs queued by hand have no such time (null: they deliver the latest slot).
 */
export function firedFor(jobId: string | undefined): Date | null {
  const m = /^repeat:.+:(\d{12,})$/.exec(jobId ?? '');
  return m ? new Date(Number(m[1])) : null;
}
