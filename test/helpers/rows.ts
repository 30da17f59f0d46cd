import type pg from 'pg';

/**
 * Row factories: the rows tests need most, written with the columns a test names and the contract's
 * defaults for the rest. Each returns the new row's id.
 */
export interface Rows {
  developer(d: { githubId: number; login: string; email?: string | null; skills?: string[] }): Promise<string>;
  team(t: { name: string; organizationId: string; developerIds: string[] }): Promise<string>;
  trackedRepository(r: { fullName: string; organizationId: string | null }): Promise<void>;
  /** A predictive insight generated `daysAgo` days ago. */
  insight(i: { developerId?: string | null; teamId?: string | null; type: string; riskScore?: number; daysAgo?: number }): Promise<string>;
}

export function rowsOf(db: pg.Pool): Rows {
  const id = async (text: string, params: unknown[]) => (await db.query<{ id: string }>(text, params)).rows[0]!.id;
  return {
    developer: (d) =>
      id(`INSERT INTO developers (github_id, github_username, email, skills) VALUES ($1, $2, $3, $4) RETURNING id`, [
        d.githubId,
        d.login,
        d.email ?? null,
        d.skills ?? [],
      ]),
    team: (t) =>
      id(`INSERT INTO teams (name, organization_id, developer_ids) VALUES ($1, $2, $3::uuid[]) RETURNING id`, [t.name, t.organizationId, t.developerIds]),
    trackedRepository: async (r) => {
      await db.query(`INSERT INTO tracked_repositories (full_name, organization_id) VALUES ($1, $2)`, [r.fullName, r.organizationId]);
    },
    insight: (i) =>
      id(
        `INSERT INTO predictive_insights (developer_id, team_id, insight_type, risk_score, generated_at) VALUES ($1, $2, $3, $4, now() - make_interval(days => $5)) RETURNING id`,
        [i.developerId ?? null, i.teamId ?? null, i.type, i.riskScore ?? 0.5, i.daysAgo ?? 0],
      ),
  };
}
