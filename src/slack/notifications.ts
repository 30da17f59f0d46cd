import { sql, withPgClient } from '../db/sql.js';
import type { JobContext } from '../jobs/context.js';
import { computeMetrics } from '../metrics/library.js';
import {
  exportReadyMessage,
  insightAlertMessage,
  syncFailureDigestMessage,
  weeklyTeamSummaryMessage,
  type ExportReadyRow,
  type InsightAlertRow,
} from './messages.js';
import { jobKey } from './post-once.js';
import { organizationOfDeveloper, organizationOfDeveloperSql, postToOrganization } from './post.js';

/**
 * The notifications, each: load its rows, build its message (src/slack/messages.ts), post it to the
 * organization's Slack at most once per key. Organizations without an active integration are
 * skipped, not failed.
 */

const NO_INTEGRATION = { skipped: 'no Slack integration' } as const;

/** An export finished: told to its requester's organization, mentioning them. One post per export. */
export async function notifyExportReady(ctx: JobContext, exportJobId: string) {
  const [e] = await sql<ExportReadyRow & { status: string }>(
    ctx.em,
    `SELECT e.export_type, e.format, e.status, e.file_size_bytes, e.expires_at, e.requested_by, d.github_username AS login
       FROM export_jobs e LEFT JOIN developers d ON d.id = e.requested_by WHERE e.id = ?`,
    [exportJobId],
  );
  if (!e || e.status !== 'completed') return { skipped: 'export not completed' };
  const org = await organizationOfDeveloper(ctx.em, e.requested_by);
  return (
    (await postToOrganization(ctx.em, ctx.config, org, 'export_ready', `export_ready:${exportJobId}`, (integration) => exportReadyMessage(e, integration))) ??
    NO_INTEGRATION
  );
}

/** Repositories of the organization whose last sync failed: one digest per run. */
export async function notifySyncFailures(ctx: JobContext, organizationId: string) {
  const failures = await sql<{ full_name: string; last_error: string }>(
    ctx.em,
    `SELECT full_name, last_error FROM tracked_repositories WHERE organization_id = ? AND is_active AND last_error IS NOT NULL ORDER BY full_name`,
    [organizationId],
  );
  if (failures.length === 0) return { skipped: 'no failing repositories' };
  return (
    (await postToOrganization(ctx.em, ctx.config, organizationId, 'sync_failure_digest', jobKey(ctx.job), () => syncFailureDigestMessage(failures))) ??
    NO_INTEGRATION
  );
}

/** Last week's numbers of one team. */
export async function notifyWeeklyTeamSummary(ctx: JobContext, teamId: string) {
  const [team] = await sql<{ name: string; organization_id: string | null }>(ctx.em, `SELECT name, organization_id FROM teams WHERE id = ?`, [teamId]);
  if (!team) return { skipped: 'team deleted' };
  const m = await withPgClient(ctx.em, (c) =>
    computeMetrics(c, ['commits', 'prs_merged', 'reviews_given', 'pr_cycle_time', 'time_to_first_review'], { team_ids: [teamId], date_range: { days: 7 } }),
  );
  const v = (k: string) => (m[k] as { value: number | null }).value;
  const week = {
    commits: v('commits'),
    prsMerged: v('prs_merged'),
    reviews: v('reviews_given'),
    cycleHours: v('pr_cycle_time'),
    firstReviewHours: v('time_to_first_review'),
  };
  return (
    (await postToOrganization(ctx.em, ctx.config, team.organization_id, 'weekly_team_summary', jobKey(ctx.job), () =>
      weeklyTeamSummaryMessage(team.name, week),
    )) ?? NO_INTEGRATION
  );
}

/**
 * An insight that crossed the alert threshold, posted to its organization's default channel,
 * mentioning the developer when user_mappings knows them. One post per insight.
 */
export async function alertInsight(ctx: JobContext, insightId: string) {
  const [i] = await sql<InsightAlertRow & { org: string | null }>(
    ctx.em,
    `SELECT pi.insight_type, pi.risk_score, pi.confidence, pi.factors, pi.recommendations, pi.developer_id,
            d.github_username AS login, t.name AS team, coalesce(t.organization_id, ${organizationOfDeveloperSql('pi.developer_id')}) AS org
       FROM predictive_insights pi LEFT JOIN developers d ON d.id = pi.developer_id LEFT JOIN teams t ON t.id = pi.team_id
      WHERE pi.id = ?`,
    [insightId],
  );
  if (!i) return { skipped: 'insight deleted' };
  const posted = await postToOrganization(ctx.em, ctx.config, i.org, 'insight_alert', `insight_alert:${insightId}`, (integration) =>
    insightAlertMessage(i, integration),
  );
  return posted ?? { skipped: 'no active Slack integration with a default channel for this organization' };
}

/** The organizations (digest) or teams (summary) that have an active integration. */
export async function fanOutTargets(ctx: JobContext, kind: 'sync_failure_digest' | 'weekly_team_summary'): Promise<string[]> {
  if (kind === 'sync_failure_digest') {
    const orgs = await sql<{ id: string }>(ctx.em, `SELECT DISTINCT organization_id AS id FROM slack_integrations WHERE is_active IS NOT FALSE`);
    return orgs.map((o) => o.id);
  }
  const teams = await sql<{ id: string }>(
    ctx.em,
    `SELECT t.id FROM teams t WHERE EXISTS (SELECT 1 FROM slack_integrations s WHERE s.organization_id = t.organization_id AND s.is_active IS NOT FALSE)`,
  );
  return teams.map((t) => t.id);
}
