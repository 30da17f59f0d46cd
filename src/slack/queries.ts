import type { EntityManager } from '@mikro-orm/postgresql';
import { pgArray, sql } from '../db/sql.js';
import { organizationMembersSql } from '../organizations/index.js';
import type { ExportReadyRow, InsightAlertRow } from './messages.js';

/**
 * Every statement of the Slack feature: its integrations, the notification log and its keys, and
 * what the notifications read of the rest of the database.
 */

/** An integration as a post needs it (the token is read with it by integrationWithToken). */
export interface Integration {
  id: string;
  team_id: string;
  default_channel_id: string | null;
  user_mappings: Record<string, string> | null;
  /** validated where it is used (src/slack/settings.ts) */
  notification_settings: unknown;
}

// ── integrations ──────────────────────────────────────────────────────────────────────────────

export async function integrationWithToken(em: EntityManager, id: string): Promise<(Integration & { bot_token: string; is_active: boolean | null }) | null> {
  const [row] = await sql<Integration & { bot_token: string; is_active: boolean | null }>(
    em,
    `SELECT id, team_id, default_channel_id, user_mappings, notification_settings, bot_token, is_active FROM slack_integrations WHERE id = ?`,
    [id],
  );
  return row ?? null;
}

export async function deactivateIntegration(em: EntityManager, id: string): Promise<void> {
  await sql(em, `UPDATE slack_integrations SET is_active = false, updated_at = now() WHERE id = ?`, [id]);
}

/** The organization's active integration (the first installed), or null. */
export async function activeIntegrationId(em: EntityManager, organizationId: string): Promise<string | null> {
  const [row] = await sql<{ id: string }>(
    em,
    `SELECT id FROM slack_integrations WHERE organization_id = ? AND is_active IS NOT FALSE ORDER BY installed_at LIMIT 1`,
    [organizationId],
  );
  return row?.id ?? null;
}

/** Insert or replace the integration of a workspace (its token sealed by the caller); returns its id. */
export async function upsertIntegration(
  em: EntityManager,
  i: {
    organizationId: string;
    teamId: string;
    teamName: string | null;
    sealedToken: string;
    defaultChannelId: string | null;
    userMappings: Record<string, string>;
  },
): Promise<string> {
  const [row] = await sql<{ id: string }>(
    em,
    `INSERT INTO slack_integrations (organization_id, team_id, team_name, bot_token, default_channel_id, user_mappings)
     VALUES (?, ?, ?, ?, ?, ?::jsonb)
     ON CONFLICT (team_id) DO UPDATE SET organization_id = EXCLUDED.organization_id, team_name = EXCLUDED.team_name,
            bot_token = EXCLUDED.bot_token, default_channel_id = EXCLUDED.default_channel_id,
            user_mappings = EXCLUDED.user_mappings, is_active = true, updated_at = now()
     RETURNING id`,
    [i.organizationId, i.teamId, i.teamName, i.sealedToken, i.defaultChannelId, JSON.stringify(i.userMappings)],
  );
  return row!.id;
}

export async function sealedTokens(em: EntityManager): Promise<{ id: string; team_id: string; bot_token: string }[]> {
  return sql<{ id: string; team_id: string; bot_token: string }>(em, `SELECT id, team_id, bot_token FROM slack_integrations ORDER BY team_id`);
}

/** Replace a sealed token, only if it is still the one read (a concurrent rotation wins); returns whether it was written. */
export async function replaceSealedToken(em: EntityManager, id: string, from: string, to: string): Promise<boolean> {
  const rows = await sql(em, `UPDATE slack_integrations SET bot_token = ?, updated_at = now() WHERE id = ? AND bot_token = ? RETURNING id`, [to, id, from]);
  return rows.length > 0;
}

type SettingsRow = { team_id: string; notification_settings: unknown };

/** The notification_settings of an organization's active integration (its first installed). */
export async function readNotificationSettings(em: EntityManager, organizationId: string): Promise<SettingsRow | null> {
  const [row] = await sql<SettingsRow>(
    em,
    `SELECT team_id, notification_settings FROM slack_integrations WHERE organization_id = ? AND is_active IS NOT FALSE ORDER BY installed_at LIMIT 1`,
    [organizationId],
  );
  return row ?? null;
}

export async function writeNotificationSettings(em: EntityManager, organizationId: string, settings: unknown): Promise<SettingsRow | null> {
  const [row] = await sql<SettingsRow>(
    em,
    `UPDATE slack_integrations SET notification_settings = ?::jsonb, updated_at = now()
      WHERE id = (SELECT id FROM slack_integrations WHERE organization_id = ? AND is_active IS NOT FALSE ORDER BY installed_at LIMIT 1)
      RETURNING team_id, notification_settings`,
    [JSON.stringify(settings), organizationId],
  );
  return row ?? null;
}

/** Map a Slack user to a developer unless the user is mapped already; returns whether it was written. */
export async function addUserMapping(em: EntityManager, integrationId: string, slackUser: string, developerId: string): Promise<boolean> {
  const rows = await sql(
    em,
    `UPDATE slack_integrations SET user_mappings = coalesce(user_mappings, '{}'::jsonb) || jsonb_build_object(?::text, ?::text), updated_at = now()
      WHERE id = ? AND NOT jsonb_exists(coalesce(user_mappings, '{}'::jsonb), ?) RETURNING id`,
    [slackUser, developerId, integrationId, slackUser],
  );
  return rows.length > 0;
}

/**
 * The members of an organization's teams with the addresses that name them alone (developers.email
 * and developer_identities; GitHub's noreply addresses and bots left out), by developer id.
 */
export async function mappableMembers(em: EntityManager, organizationId: string): Promise<{ id: string; emails: string[] }[]> {
  return sql<{ id: string; emails: string[] }>(
    em,
    `WITH members AS (SELECT DISTINCT m AS id FROM ${organizationMembersSql('?::uuid')} AS o(m)),
          emails AS (SELECT d.id, lower(d.email) AS email FROM developers d JOIN members USING (id) WHERE d.email IS NOT NULL
                     UNION SELECT i.developer_id, lower(i.email) FROM developer_identities i JOIN members m ON m.id = i.developer_id),
          single AS (SELECT email, min(id::text)::uuid AS id FROM emails GROUP BY email HAVING count(DISTINCT id) = 1)
     SELECT s.id::text AS id, array_agg(s.email ORDER BY s.email) AS emails FROM single s
      WHERE s.email NOT LIKE '%@users.noreply.github.com' AND NOT EXISTS (SELECT 1 FROM developer_bots b WHERE b.developer_id = s.id)
      GROUP BY s.id ORDER BY s.id`,
    [organizationId],
  );
}

/** The organizations (digest, user mapping) or teams (summary) that have an active integration. */
export async function organizationsWithSlack(em: EntityManager): Promise<string[]> {
  const orgs = await sql<{ id: string }>(em, `SELECT DISTINCT organization_id AS id FROM slack_integrations WHERE is_active IS NOT FALSE`);
  return orgs.map((o) => o.id);
}

export async function teamsWithSlack(em: EntityManager): Promise<string[]> {
  const teams = await sql<{ id: string }>(
    em,
    `SELECT t.id FROM teams t WHERE EXISTS (SELECT 1 FROM slack_integrations s WHERE s.organization_id = t.organization_id AND s.is_active IS NOT FALSE)`,
  );
  return teams.map((t) => t.id);
}

// ── the notification log (slack_notification_logs, one row per attempt; slack_notification_keys) ──

/** Attempts left `pending` for longer than `minutes` (of one integration, or all) are closed as failed with an unknown outcome. */
export async function failStalePending(em: EntityManager, integrationId: string | null, minutes: number): Promise<number> {
  const rows = await sql(
    em,
    `UPDATE slack_notification_logs
        SET status = 'failed', error_message = 'outcome unknown: the worker stopped while posting (Slack may have received the message)'
       FROM (SELECT ?::uuid AS id) scope
      WHERE status = 'pending' AND sent_at < now() - make_interval(mins => ?) AND (scope.id IS NULL OR integration_id = scope.id)
     RETURNING slack_notification_logs.id`,
    [integrationId, minutes],
  );
  return rows.length;
}

export interface Attempt {
  id: string;
  status: string | null;
  channel_id: string | null;
  message_ts: string | null;
  started_at: Date;
}

/** The earlier attempts of a notification key, oldest first. */
export async function attemptsOf(em: EntityManager, key: string): Promise<Attempt[]> {
  return sql<Attempt>(
    em,
    `SELECT l.id, l.status, l.channel_id, l.message_ts, k.started_at
       FROM slack_notification_keys k JOIN slack_notification_logs l ON l.id = k.log_id
      WHERE k.idempotency_key = ? ORDER BY k.started_at`,
    [key],
  );
}

/** A new `pending` attempt under its key; returns the log row's id. */
export async function startAttempt(
  em: EntityManager,
  a: { integrationId: string; channel: string; type: string; summary: string; key: string },
): Promise<string> {
  const [log] = await sql<{ log_id: string }>(
    em,
    `WITH l AS (
       INSERT INTO slack_notification_logs (integration_id, channel_id, notification_type, content_summary, status) VALUES (?, ?, ?, ?, 'pending') RETURNING id
     )
     INSERT INTO slack_notification_keys (log_id, idempotency_key) SELECT id, ? FROM l RETURNING log_id`,
    [a.integrationId, a.channel, a.type, a.summary, a.key],
  );
  return log!.log_id;
}

export async function attemptSent(em: EntityManager, logId: string, r: { channel: string; ts: string | null; note: string | null }): Promise<void> {
  await sql(em, `UPDATE slack_notification_logs SET status = 'sent', channel_id = ?, message_ts = ?, error_message = ?, sent_at = now() WHERE id = ?`, [
    r.channel,
    r.ts,
    r.note,
    logId,
  ]);
}

export async function attemptFailed(em: EntityManager, logId: string, message: string): Promise<void> {
  await sql(em, `UPDATE slack_notification_logs SET status = 'failed', error_message = ?, sent_at = now() WHERE id = ?`, [message, logId]);
}

/** Close attempts still `pending` as failed, with a reason. */
export async function closePendingAttempts(em: EntityManager, ids: string[], message: string): Promise<void> {
  await sql(em, `UPDATE slack_notification_logs SET status = 'failed', error_message = ? WHERE id = ANY(?::uuid[]) AND status = 'pending'`, [
    message,
    pgArray(ids),
  ]);
}

// ── what the notifications read ───────────────────────────────────────────────────────────────

export async function exportForNotice(
  em: EntityManager,
  exportJobId: string,
): Promise<(ExportReadyRow & { status: string; organization_id: string | null }) | null> {
  const [e] = await sql<ExportReadyRow & { status: string; organization_id: string | null }>(
    em,
    `SELECT e.export_type, e.format, e.status, e.file_size_bytes, e.expires_at, e.requested_by, d.github_username AS login,
            nullif(e.config->>'organization_id', '') AS organization_id
       FROM export_jobs e LEFT JOIN developers d ON d.id = e.requested_by WHERE e.id = ?`,
    [exportJobId],
  );
  return e ?? null;
}

/** The organization's active repositories whose last sync failed, by name. */
export async function failingRepositories(em: EntityManager, organizationId: string): Promise<{ full_name: string; last_error: string }[]> {
  return sql<{ full_name: string; last_error: string }>(
    em,
    `SELECT full_name, last_error FROM tracked_repositories WHERE organization_id = ? AND is_active AND last_error IS NOT NULL ORDER BY full_name`,
    [organizationId],
  );
}

export async function teamNameAndOrganization(em: EntityManager, teamId: string): Promise<{ name: string; organization_id: string | null } | null> {
  const [team] = await sql<{ name: string; organization_id: string | null }>(em, `SELECT name, organization_id FROM teams WHERE id = ?`, [teamId]);
  return team ?? null;
}

/** The teams of an organization a developer is in, by name. */
export async function teamsOfMember(em: EntityManager, organizationId: string, developerId: string): Promise<{ id: string; name: string }[]> {
  return sql<{ id: string; name: string }>(em, `SELECT id, name FROM teams WHERE organization_id = ? AND ?::uuid = ANY(developer_ids) ORDER BY name`, [
    organizationId,
    developerId,
  ]);
}

export interface AlertRow extends InsightAlertRow {
  team_id: string | null;
  /** the organization a person's insight was computed for */
  organization_id: string | null;
  team_org: string | null;
  data_window_days: number | null;
  generated_at: Date;
}

export async function insightForAlert(em: EntityManager, insightId: string): Promise<AlertRow | null> {
  const [i] = await sql<AlertRow>(
    em,
    `SELECT pi.insight_type, pi.risk_score, pi.confidence, pi.factors, pi.recommendations, pi.developer_id, pi.team_id, pi.data_window_days, pi.generated_at,
            d.github_username AS login, d.name, t.name AS team, t.organization_id AS team_org, o.organization_id
       FROM predictive_insights pi LEFT JOIN developers d ON d.id = pi.developer_id LEFT JOIN teams t ON t.id = pi.team_id
       LEFT JOIN predictive_insight_organizations o ON o.insight_id = pi.id
      WHERE pi.id = ?`,
    [insightId],
  );
  return i ?? null;
}

export interface CareerProgressRow {
  developer_id: string;
  path_id: string;
  role: string;
  milestone: string | null;
  done: number;
  total: number;
  status: string;
}

/** A learning path (or the path of a milestone) with its role, its milestones done and in all. */
export async function careerProgressOf(em: EntityManager, what: { milestoneId: string } | { learningPathId: string }): Promise<CareerProgressRow | null> {
  const byMilestone = 'milestoneId' in what;
  const [row] = await sql<CareerProgressRow>(
    em,
    `SELECT p.developer_id, p.id AS path_id, r.name AS role, ${byMilestone ? 'm.title' : 'NULL'} AS milestone, p.status,
            (SELECT count(*)::int FROM learning_milestones x WHERE x.learning_path_id = p.id AND x.status = 'completed') AS done,
            (SELECT count(*)::int FROM learning_milestones x WHERE x.learning_path_id = p.id) AS total
       FROM learning_paths p JOIN career_roles r ON r.id = p.target_role_id
       ${byMilestone ? 'JOIN learning_milestones m ON m.learning_path_id = p.id AND m.id = ?' : 'WHERE p.id = ?'}`,
    [byMilestone ? what.milestoneId : what.learningPathId],
  );
  return row ?? null;
}
