import type { EntityManager } from '@mikro-orm/postgresql';
import { sql } from '../db/sql.js';
import { DEVELOPER_INSIGHTS, TEAM_INSIGHTS } from './types.js';

export interface DueInsight {
  insight_type: string;
  developer_id: string | null;
  team_id: string | null;
  data_window_days: number | null;
  /** a renewal (the latest row expires) rather than a first insight */
  renewal: boolean;
}

/**
 * The insights to generate now:
 * - renewals: the latest insight of each (type, subject) that has expired or expires within the hour;
 * - first insights: every active developer (counted commits, pull requests opened or reviews given in
 *   the last `activeDays` days; bots are never counted) and every team with an active member, for each
 *   insight type of theirs they have no row of yet. Without this nothing would ever create a
 *   subject's first insight.
 */
export async function dueInsights(em: EntityManager, activeDays: number): Promise<DueInsight[]> {
  return sql<DueInsight>(
    em,
    `WITH arg AS (SELECT now() - make_interval(days => ?) AS since, ?::text[] AS dev_types, ?::text[] AS team_types),
          active AS (
            SELECT developer_id AS id FROM counted_commits WHERE committed_at >= (SELECT since FROM arg)
            UNION SELECT developer_id FROM counted_pull_requests WHERE created_at >= (SELECT since FROM arg)
            UNION SELECT reviewer_id FROM counted_code_reviews WHERE submitted_at >= (SELECT since FROM arg)
          ),
          active_teams AS (SELECT t.id FROM teams t WHERE EXISTS (SELECT 1 FROM active a WHERE a.id = ANY(t.developer_ids)))
     SELECT insight_type, developer_id, team_id, data_window_days, true AS renewal
       FROM (SELECT DISTINCT ON (insight_type, developer_id, team_id) insight_type, developer_id, team_id, data_window_days, expires_at
               FROM predictive_insights ORDER BY insight_type, developer_id, team_id, generated_at DESC) latest
      WHERE expires_at IS NULL OR expires_at < now() + interval '1 hour'
     UNION ALL
     SELECT ty, a.id, NULL, NULL, false FROM active a, unnest((SELECT dev_types FROM arg)) ty
      WHERE a.id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM predictive_insights p WHERE p.developer_id = a.id AND p.insight_type = ty)
     UNION ALL
     SELECT ty, NULL, t.id, NULL, false FROM active_teams t, unnest((SELECT team_types FROM arg)) ty
      WHERE NOT EXISTS (SELECT 1 FROM predictive_insights p WHERE p.team_id = t.id AND p.insight_type = ty)`,
    [activeDays, `{${DEVELOPER_INSIGHTS.join(',')}}`, `{${TEAM_INSIGHTS.join(',')}}`],
  );
}
