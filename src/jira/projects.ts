import type { EntityManager } from '@mikro-orm/postgresql';
import { sql } from '../db/sql.js';
import { PermanentError } from '../errors/index.js';
import { isUuid } from '../lib/patterns.js';

export interface JiraProjectRow {
  project_key: string;
  repository_full_name: string | null;
  issues: number;
}

/**
 * Attribute a Jira project's incidents to one of the organization's repositories (the deployment
 * live there when an incident opened), or with `null` stop attributing them. A repository the
 * organization does not track is refused: another organization's numbers are never reached.
 */
export async function mapJiraProject(em: EntityManager, organizationId: string, projectKey: string, repository: string | null): Promise<void> {
  if (!isUuid(organizationId)) throw new PermanentError(`jira project: ${JSON.stringify(organizationId)} must be an organization UUID`);
  if (!/^[A-Z][A-Z0-9_]{0,254}$/.test(projectKey)) throw new PermanentError(`jira project: ${JSON.stringify(projectKey)} is no Jira project key (ABC)`);
  if (repository === null) {
    await sql(em, `DELETE FROM jira_project_repositories WHERE organization_id = ? AND project_key = ?`, [organizationId, projectKey]);
    return;
  }
  const [tracked] = await sql<{ full_name: string }>(
    em,
    `SELECT full_name FROM tracked_repositories WHERE organization_id = ? AND lower(full_name) = lower(?)`,
    [organizationId, repository],
  );
  if (!tracked) throw new PermanentError(`jira project: ${repository} is not a repository of organization ${organizationId}`);
  await sql(
    em,
    `INSERT INTO jira_project_repositories (organization_id, project_key, repository_full_name) VALUES (?, ?, ?)
     ON CONFLICT (organization_id, project_key) DO UPDATE SET repository_full_name = EXCLUDED.repository_full_name`,
    [organizationId, projectKey, tracked.full_name],
  );
}

/** An organization's Jira projects: those with stored issues and those mapped, each with its repository (if any) and its issue count. */
export async function jiraProjects(em: EntityManager, organizationId: string): Promise<JiraProjectRow[]> {
  if (!isUuid(organizationId)) throw new PermanentError(`jira projects: ${JSON.stringify(organizationId)} must be an organization UUID`);
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
