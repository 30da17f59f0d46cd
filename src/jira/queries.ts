import type { EntityManager } from '@mikro-orm/postgresql';
import { sql } from '../db/sql.js';

export interface JiraSiteRow {
  organization_id: string;
  base_url: string;
  email: string;
  api_token: string;
  story_points_field: string | null;
  jql: string | null;
  cursor_at: Date | string | null;
}

/** Install (or replace) an organization's Jira site; a new site starts from the beginning. */
export async function writeJiraSite(
  em: EntityManager,
  s: { organizationId: string; baseUrl: string; email: string; sealedToken: string; storyPointsField: string | null; jql: string | null },
): Promise<void> {
  await sql(
    em,
    `INSERT INTO jira_sites (organization_id, base_url, email, api_token, story_points_field, jql) VALUES (?, ?, ?, ?, ?, ?)
     ON CONFLICT (organization_id) DO UPDATE SET base_url = EXCLUDED.base_url, email = EXCLUDED.email, api_token = EXCLUDED.api_token,
            story_points_field = EXCLUDED.story_points_field, jql = EXCLUDED.jql, cursor_at = NULL, last_error = NULL, updated_at = now()`,
    [s.organizationId, s.baseUrl, s.email, s.sealedToken, s.storyPointsField, s.jql],
  );
}

export async function jiraSite(em: EntityManager, organizationId: string): Promise<JiraSiteRow | undefined> {
  const [row] = await sql<JiraSiteRow>(
    em,
    `SELECT organization_id, base_url, email, api_token, story_points_field, jql, cursor_at FROM jira_sites WHERE organization_id = ?`,
    [organizationId],
  );
  return row;
}

/** The organizations with a Jira site (the hourly sync queues each). */
export async function jiraOrganizations(em: EntityManager): Promise<string[]> {
  return (await sql<{ organization_id: string }>(em, `SELECT organization_id FROM jira_sites ORDER BY organization_id`)).map((r) => r.organization_id);
}

/** A sync's outcome: the cursor moved to the newest update read (never back), the last error cleared or recorded. */
export async function recordJiraSync(em: EntityManager, organizationId: string, outcome: { cursor: Date | null } | { error: string }): Promise<void> {
  if ('error' in outcome) await sql(em, `UPDATE jira_sites SET last_error = ?, updated_at = now() WHERE organization_id = ?`, [outcome.error, organizationId]);
  else
    await sql(em, `UPDATE jira_sites SET cursor_at = GREATEST(cursor_at, ?::timestamptz), last_error = NULL, updated_at = now() WHERE organization_id = ?`, [
      outcome.cursor,
      organizationId,
    ]);
}
