import type { EntityManager } from '@mikro-orm/postgresql';
import { sql } from '../db/sql.js';
import type { InsightOutput } from './model.js';
import { DEVELOPER_INSIGHTS, TEAM_INSIGHTS } from './types.js';

export interface DueInsight {
  insight_type: string;
  developer_id: string | null;
  team_id: string | null;
  /** a person's insight is of one organization (null: a person of none, or a team's) */
  organization_id: string | null;
  data_window_days: number | null;
  /** a renewal (the latest row expires) rather than a first insight */
  renewal: boolean;
}

/**
 * The insights to generate now:
 * - renewals: the latest insight of each (type, subject, organization) that has expired or expires
 *   within the hour;
 * - first insights: every developer active in an organization (counted commits, pull requests opened
 *   or reviews given in its repositories in the last `activeDays` days; bots are never counted) that
 *   they are a member of, once per such organization (active in repositories of no organization: one
 *   insight of no organization), and every team with a member active in its organization's
 *   repositories, for each insight type of theirs they have no row of yet. Without this nothing
 *   would ever create a subject's first insight.
 */
export async function dueInsights(em: EntityManager, activeDays: number): Promise<DueInsight[]> {
  return sql<DueInsight>(
    em,
    `WITH arg AS (SELECT now() - make_interval(days => ?) AS since, ?::text[] AS dev_types, ?::text[] AS team_types),
          active AS (
            SELECT developer_id AS id, repository_full_name AS repo FROM counted_commits WHERE committed_at >= (SELECT since FROM arg)
            UNION SELECT p.developer_id, gr.repository_full_name FROM counted_pull_requests p LEFT JOIN github_pull_repositories gr ON gr.github_id = p.github_id
                   WHERE p.created_at >= (SELECT since FROM arg)
            UNION SELECT r.reviewer_id, gr.repository_full_name FROM counted_code_reviews r JOIN pull_requests p ON p.id = r.pull_request_id
                   LEFT JOIN github_pull_repositories gr ON gr.github_id = p.github_id WHERE r.submitted_at >= (SELECT since FROM arg)
          ),
          active_devs AS (
            SELECT DISTINCT a.id, tr.organization_id AS org FROM active a LEFT JOIN tracked_repositories tr ON tr.full_name = a.repo
             WHERE a.id IS NOT NULL
               AND (tr.organization_id IS NULL OR a.id IN (SELECT m FROM teams, unnest(teams.developer_ids) AS m WHERE teams.organization_id = tr.organization_id))
          ),
          active_teams AS (
            SELECT t.id FROM teams t WHERE EXISTS (SELECT 1 FROM active_devs a WHERE a.id = ANY(t.developer_ids) AND a.org IS NOT DISTINCT FROM t.organization_id)
          ),
          scoped AS (SELECT pi.*, o.organization_id FROM predictive_insights pi LEFT JOIN predictive_insight_organizations o ON o.insight_id = pi.id)
     SELECT insight_type, developer_id, team_id, organization_id, data_window_days, true AS renewal
       FROM (SELECT DISTINCT ON (insight_type, developer_id, team_id, organization_id) insight_type, developer_id, team_id, organization_id, data_window_days, expires_at
               FROM scoped ORDER BY insight_type, developer_id, team_id, organization_id, generated_at DESC) latest
      WHERE expires_at IS NULL OR expires_at < now() + interval '1 hour'
     UNION ALL
     SELECT ty, a.id, NULL, a.org, NULL, false FROM active_devs a, unnest((SELECT dev_types FROM arg)) ty
      WHERE NOT EXISTS (SELECT 1 FROM scoped p WHERE p.developer_id = a.id AND p.insight_type = ty AND p.organization_id IS NOT DISTINCT FROM a.org)
     UNION ALL
     SELECT ty, NULL, t.id, NULL, NULL, false FROM active_teams t, unnest((SELECT team_types FROM arg)) ty
      WHERE NOT EXISTS (SELECT 1 FROM predictive_insights p WHERE p.team_id = t.id AND p.insight_type = ty)`,
    [activeDays, `{${DEVELOPER_INSIGHTS.join(',')}}`, `{${TEAM_INSIGHTS.join(',')}}`],
  );
}

/** The latest insight of a type about a subject, in an organization (null: of none). */
export async function latestInsight(
  em: EntityManager,
  subject: { column: 'developer_id' | 'team_id'; id: string },
  type: string,
  organizationId: string | null,
): Promise<{ id: string; risk_score: number | null; expires_at: string | null } | null> {
  const [row] = await sql<{ id: string; risk_score: number | null; expires_at: string | null }>(
    em,
    `SELECT pi.id, pi.risk_score, pi.expires_at FROM predictive_insights pi LEFT JOIN predictive_insight_organizations o ON o.insight_id = pi.id
      WHERE pi.${subject.column} = ? AND pi.insight_type = ? AND o.organization_id IS NOT DISTINCT FROM ?::uuid ORDER BY pi.generated_at DESC LIMIT 1`,
    [subject.id, type, organizationId],
  );
  return row ?? null;
}

export async function subjectExists(em: EntityManager, subject: { column: 'developer_id' | 'team_id'; id: string }): Promise<boolean> {
  return (await sql(em, `SELECT 1 FROM ${subject.column === 'developer_id' ? 'developers' : 'teams'} WHERE id = ?`, [subject.id])).length > 0;
}

export async function isBot(em: EntityManager, developerId: string): Promise<boolean> {
  return (await sql(em, `SELECT 1 FROM developer_bots WHERE developer_id = ?`, [developerId])).length > 0;
}

/** Store an insight (with its organization, when it has one), expiring after `ttlHours`; returns its id. */
export async function insertInsight(
  em: EntityManager,
  i: {
    subject: { column: 'developer_id' | 'team_id'; id: string };
    type: string;
    output: InsightOutput;
    windowDays: number;
    model: string;
    ttlHours: number;
    organizationId: string | null;
  },
): Promise<string> {
  const [row] = await sql<{ id: string }>(
    em,
    `WITH ins AS (
       INSERT INTO predictive_insights (${i.subject.column}, insight_type, risk_score, confidence, factors, recommendations, data_window_days, generated_by_model, generated_at, expires_at)
       VALUES (?, ?, ?, ?, ?::jsonb, ?::jsonb, ?, ?, now(), now() + make_interval(hours => ?)) RETURNING id),
          org AS (INSERT INTO predictive_insight_organizations (insight_id, organization_id) SELECT id, ?::uuid FROM ins WHERE ?::uuid IS NOT NULL)
     SELECT id FROM ins`,
    [
      i.subject.id,
      i.type,
      i.output.risk_score,
      i.output.confidence,
      JSON.stringify(i.output.factors),
      JSON.stringify(i.output.recommendations),
      i.windowDays,
      i.model,
      i.ttlHours,
      i.organizationId,
      i.organizationId,
    ],
  );
  return row!.id;
}
