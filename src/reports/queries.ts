import type { EntityManager } from '@mikro-orm/postgresql';
import { sql, type SqlTarget } from '../db/sql.js';

/**
 * Every statement of the reports feature, one named function each: custom_reports and the report's
 * people and workspace name (src/reports/data.ts, run.ts), scheduled_reports (scheduling and
 * delivery), and the slot claims of report_deliveries.
 */

export interface ReportRow {
  id: string;
  name: string;
  description: string | null;
  widgets: unknown;
  filters: unknown;
  organization_id: string | null;
  creator_id: string | null;
  layout?: unknown;
}

export async function customReport(client: SqlTarget, reportId: string): Promise<ReportRow | undefined> {
  const [report] = await sql<ReportRow>(
    client,
    `SELECT id, name, description, widgets, filters, layout, organization_id, creator_id FROM custom_reports WHERE id = ?`,
    [reportId],
  );
  return report;
}

/** The people of a scope by login (every person when `developerIds` is null); bots have nothing counted and are not listed. */
export async function peopleByLogin(client: SqlTarget, developerIds: string[] | null): Promise<{ id: string; login: string }[]> {
  return sql(
    client,
    `SELECT id, github_username AS login FROM developers d
      WHERE NOT EXISTS (SELECT 1 FROM developer_bots b WHERE b.developer_id = d.id)${developerIds === null ? '' : ' AND id = ANY(?::uuid[])'}
      ORDER BY github_username`,
    developerIds === null ? [] : [developerIds],
  );
}

/** An organization's repositories (of `names` when given), by name: a table per repository. */
export async function repositoriesOf(client: SqlTarget, organizationId: string, names: string[] | null): Promise<string[]> {
  const rows = await sql<{ full_name: string }>(
    client,
    `SELECT full_name FROM tracked_repositories WHERE organization_id = ?::uuid AND (?::text[] IS NULL OR full_name = ANY(?::text[])) ORDER BY full_name`,
    [organizationId, names, names],
  );
  return rows.map((r) => r.full_name);
}

/** An organization's teams (of `ids` when given), by name: a table per team. */
export async function teamsOf(client: SqlTarget, organizationId: string, ids: string[] | null): Promise<{ id: string; name: string }[]> {
  return sql(client, `SELECT id, name FROM teams WHERE organization_id = ?::uuid AND (?::uuid[] IS NULL OR id = ANY(?::uuid[])) ORDER BY name, id`, [
    organizationId,
    ids,
    ids,
  ]);
}

/** The name of the organization's Slack workspace (its first active integration), for a report's cover. */
export async function workspaceName(client: SqlTarget, organizationId: string): Promise<string | null> {
  const [workspace] = await sql<{ team_name: string | null }>(
    client,
    `SELECT team_name FROM slack_integrations WHERE organization_id = ? AND is_active ORDER BY created_at LIMIT 1`,
    [organizationId],
  );
  return workspace?.team_name ?? null;
}

export interface ScheduledRow {
  id: string;
  report_id: string | null;
  schedule: string;
  day_of_week: number | null;
  day_of_month: number | null;
  time_utc: string | null;
  recipients: (string | null)[] | null;
  delivery_method: string | null;
  export_format: string | null;
  is_active: boolean | null;
  last_sent_at: string | null;
  next_run_at: string | null;
}

export async function scheduledReport(em: EntityManager, scheduledReportId: string): Promise<ScheduledRow | undefined> {
  const [row] = await sql<ScheduledRow>(em, `SELECT * FROM scheduled_reports WHERE id = ?`, [scheduledReportId]);
  return row;
}

/** Every schedule, for the reconciliation of the job schedulers. */
export async function allSchedules(
  em: EntityManager,
): Promise<Pick<ScheduledRow, 'id' | 'is_active' | 'schedule' | 'day_of_week' | 'day_of_month' | 'time_utc' | 'next_run_at'>[]> {
  return sql(em, `SELECT id, is_active, schedule, day_of_week, day_of_month, time_utc, next_run_at FROM scheduled_reports`);
}

export async function setNextRun(em: EntityManager, scheduledReportId: string, next: string): Promise<void> {
  await sql(em, `UPDATE scheduled_reports SET next_run_at = ? WHERE id = ?`, [next, scheduledReportId]);
}

/** Inactive schedules have no next run. */
export async function clearInactiveNextRuns(em: EntityManager): Promise<void> {
  await sql(em, `UPDATE scheduled_reports SET next_run_at = NULL WHERE is_active = false AND next_run_at IS NOT NULL`);
}

/** A slot delivered: when, and the next run. */
export async function recordSent(em: EntityManager, scheduledReportId: string, sentAt: Date, nextRunAt: Date): Promise<void> {
  await sql(em, `UPDATE scheduled_reports SET last_sent_at = ?, next_run_at = ? WHERE id = ?`, [
    sentAt.toISOString(),
    nextRunAt.toISOString(),
    scheduledReportId,
  ]);
}

/** A claim another job holds for longer than this is taken to belong to a job that died. */
export const STALE_CLAIM_MINUTES = 15;

export type ClaimOutcome = 'claimed' | 'sent' | 'held';

/**
 * Claim one channel of one slot of a scheduled report before sending it there: only one job can
 * hold it. The same job (a retry) claims it again; a claim of another job older than
 * STALE_CLAIM_MINUTES is taken over. Returns 'sent' when the slot was already delivered there, and
 * 'held' when another job is delivering it now.
 */
export async function claimDelivery(
  em: EntityManager,
  scheduledReportId: string,
  slot: Date,
  channel: 'email' | 'slack',
  jobId: string,
): Promise<ClaimOutcome> {
  const claimed = await sql(
    em,
    `INSERT INTO report_deliveries (scheduled_report_id, slot, channel, status, job_id) VALUES (?, ?, ?, 'claimed', ?)
     ON CONFLICT (scheduled_report_id, slot, channel) DO UPDATE SET job_id = EXCLUDED.job_id, claimed_at = now()
      WHERE report_deliveries.status = 'claimed'
        AND (report_deliveries.job_id = EXCLUDED.job_id OR report_deliveries.claimed_at < now() - make_interval(mins => ?))
     RETURNING 1`,
    [scheduledReportId, slot.toISOString(), channel, jobId, STALE_CLAIM_MINUTES],
  );
  if (claimed.length > 0) return 'claimed';
  const [row] = await sql<{ status: string }>(em, `SELECT status FROM report_deliveries WHERE scheduled_report_id = ? AND slot = ? AND channel = ?`, [
    scheduledReportId,
    slot.toISOString(),
    channel,
  ]);
  return row?.status === 'sent' ? 'sent' : 'held';
}

export async function markDelivered(em: EntityManager, scheduledReportId: string, slot: Date, channel: 'email' | 'slack'): Promise<void> {
  await sql(em, `UPDATE report_deliveries SET status = 'sent', sent_at = now() WHERE scheduled_report_id = ? AND slot = ? AND channel = ?`, [
    scheduledReportId,
    slot.toISOString(),
    channel,
  ]);
}

/** Give a claim back after a send that failed (nothing was delivered), so any job may try again. */
export async function releaseDelivery(em: EntityManager, scheduledReportId: string, slot: Date, channel: 'email' | 'slack', jobId: string): Promise<void> {
  await sql(em, `DELETE FROM report_deliveries WHERE scheduled_report_id = ? AND slot = ? AND channel = ? AND status = 'claimed' AND job_id = ?`, [
    scheduledReportId,
    slot.toISOString(),
    channel,
    jobId,
  ]);
}
