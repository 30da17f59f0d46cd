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
  reconciled_at: Date | string | null;
}

/**
 * A Jira issue's external id: the organization's id and the site's issue id (`<uuid>:10001`). Issue
 * ids are a site's own, so two organizations' sites have the same ones: each keeps its own rows.
 */
export const jiraExternalId = (organizationId: string, issueId: string) => `${organizationId}:${issueId}`;

/** Install (or replace) an organization's Jira site; a new site starts from the beginning. */
export async function writeJiraSite(
  em: EntityManager,
  s: { organizationId: string; baseUrl: string; email: string; sealedToken: string; storyPointsField: string | null; jql: string | null },
): Promise<void> {
  await sql(
    em,
    `INSERT INTO jira_sites (organization_id, base_url, email, api_token, story_points_field, jql) VALUES (?, ?, ?, ?, ?, ?)
     ON CONFLICT (organization_id) DO UPDATE SET base_url = EXCLUDED.base_url, email = EXCLUDED.email, api_token = EXCLUDED.api_token,
            story_points_field = EXCLUDED.story_points_field, jql = EXCLUDED.jql, cursor_at = NULL, reconciled_at = NULL, last_error = NULL, updated_at = now()`,
    [s.organizationId, s.baseUrl, s.email, s.sealedToken, s.storyPointsField, s.jql],
  );
}

export async function jiraSite(em: EntityManager, organizationId: string): Promise<JiraSiteRow | undefined> {
  const [row] = await sql<JiraSiteRow>(
    em,
    `SELECT organization_id, base_url, email, api_token, story_points_field, jql, cursor_at, reconciled_at FROM jira_sites WHERE organization_id = ?`,
    [organizationId],
  );
  return row;
}

/** The organizations with a Jira site (the hourly sync queues each). */
export async function jiraOrganizations(em: EntityManager): Promise<string[]> {
  return (await sql<{ organization_id: string }>(em, `SELECT organization_id FROM jira_sites ORDER BY organization_id`)).map((r) => r.organization_id);
}

/**
 * A sync's outcome: the cursor moved to the newest update read (never back), the last error cleared
 * or recorded; or the time the stored issues were checked against the site.
 */
export async function recordJiraSync(
  em: EntityManager,
  organizationId: string,
  outcome: { cursor: Date | null } | { error: string } | { reconciledAt: Date },
): Promise<void> {
  if ('error' in outcome) await sql(em, `UPDATE jira_sites SET last_error = ?, updated_at = now() WHERE organization_id = ?`, [outcome.error, organizationId]);
  else if ('reconciledAt' in outcome)
    await sql(em, `UPDATE jira_sites SET reconciled_at = ?, updated_at = now() WHERE organization_id = ?`, [outcome.reconciledAt, organizationId]);
  else
    await sql(em, `UPDATE jira_sites SET cursor_at = GREATEST(cursor_at, ?::timestamptz), last_error = NULL, updated_at = now() WHERE organization_id = ?`, [
      outcome.cursor,
      organizationId,
    ]);
}

/** The stored issues of an organization's site: their Jira ids (the external id's tail) and projects. */
export async function storedJiraIssues(em: EntityManager, organizationId: string): Promise<{ issue_id: string; project_key: string }[]> {
  return sql(
    em,
    `SELECT substr(external_id, length(?) + 2) AS issue_id, project_key FROM issues WHERE source = 'jira' AND organization_id = ? AND external_id LIKE ? || ':%' ORDER BY external_id`,
    [organizationId, organizationId, organizationId],
  );
}

/** Remove issues deleted in Jira (by their Jira ids), with their status history. */
export async function deleteJiraIssues(em: EntityManager, organizationId: string, issueIds: string[]): Promise<number> {
  if (issueIds.length === 0) return 0;
  return em.transactional(async (tx) => {
    const gone = await sql<{ id: string }>(
      tx,
      `DELETE FROM issues WHERE source = 'jira' AND organization_id = ? AND external_id = ANY(?::text[]) RETURNING id`,
      [organizationId, issueIds.map((id) => jiraExternalId(organizationId, id))],
    );
    await sql(tx, `DELETE FROM issue_transitions WHERE issue_id = ANY(?::uuid[])`, [gone.map((g) => g.id)]);
    return gone.length;
  });
}

export interface JiraProjectRow {
  project_key: string;
  repository_full_name: string | null;
  issues: number;
}

/** An organization's tracked repository by its name (any case), as tracked. */
export async function trackedRepositoryOf(em: EntityManager, organizationId: string, repository: string): Promise<string | null> {
  const [row] = await sql<{ full_name: string }>(em, `SELECT full_name FROM tracked_repositories WHERE organization_id = ? AND lower(full_name) = lower(?)`, [
    organizationId,
    repository,
  ]);
  return row?.full_name ?? null;
}

export async function writeProjectRepository(em: EntityManager, organizationId: string, projectKey: string, repository: string): Promise<void> {
  await sql(
    em,
    `INSERT INTO jira_project_repositories (organization_id, project_key, repository_full_name) VALUES (?, ?, ?)
     ON CONFLICT (organization_id, project_key) DO UPDATE SET repository_full_name = EXCLUDED.repository_full_name`,
    [organizationId, projectKey, repository],
  );
}

export async function deleteProjectRepository(em: EntityManager, organizationId: string, projectKey: string): Promise<void> {
  await sql(em, `DELETE FROM jira_project_repositories WHERE organization_id = ? AND project_key = ?`, [organizationId, projectKey]);
}

/** An organization's Jira projects: those with stored issues and those mapped, each with its repository (if any) and its issue count. */
export async function projectsOf(em: EntityManager, organizationId: string): Promise<JiraProjectRow[]> {
  return sql<JiraProjectRow>(
    em,
    `SELECT k.project_key, jp.repository_full_name,
            (SELECT count(*)::int FROM issues i WHERE i.source = 'jira' AND i.organization_id = ? AND i.project_key = k.project_key) AS issues
       FROM (SELECT project_key FROM issues WHERE source = 'jira' AND organization_id = ? AND project_key IS NOT NULL
             UNION SELECT project_key FROM jira_project_repositories WHERE organization_id = ?) k
       LEFT JOIN jira_project_repositories jp ON jp.organization_id = ? AND jp.project_key = k.project_key
      ORDER BY k.project_key`,
    [organizationId, organizationId, organizationId, organizationId],
  );
}
