import type { EntityManager } from '@mikro-orm/postgresql';
import { sql } from '../db/sql.js';

export interface ExpiringInsight {
  insight_type: string;
  developer_id: string | null;
  team_id: string | null;
  data_window_days: number | null;
}

/** The latest insight of each (type, subject) that has expired or expires within the next hour. */
export async function expiringInsights(em: EntityManager): Promise<ExpiringInsight[]> {
  return sql<ExpiringInsight>(
    em,
    `SELECT * FROM (SELECT DISTINCT ON (insight_type, developer_id, team_id) insight_type, developer_id, team_id, data_window_days, expires_at
                       FROM predictive_insights ORDER BY insight_type, developer_id, team_id, generated_at DESC) latest
      WHERE expires_at IS NULL OR expires_at < now() + interval '1 hour'`,
  );
}
