import type { EntityManager } from '@mikro-orm/postgresql';
import { PermanentError } from '../errors/index.js';
import { isUuid } from '../lib/patterns.js';
import { deleteProjectRepository, projectsOf, trackedRepositoryOf, writeProjectRepository, type JiraProjectRow } from './queries.js';

/**
 * Attribute a Jira project's incidents to one of the organization's repositories (the deployment
 * live there when an incident opened), or with `null` stop attributing them. A repository the
 * organization does not track is refused: another organization's numbers are never reached.
 */
export async function mapJiraProject(em: EntityManager, organizationId: string, projectKey: string, repository: string | null): Promise<void> {
  if (!isUuid(organizationId)) throw new PermanentError(`jira project: ${JSON.stringify(organizationId)} must be an organization UUID`);
  if (!/^[A-Z][A-Z0-9_]{0,254}$/.test(projectKey)) throw new PermanentError(`jira project: ${JSON.stringify(projectKey)} is no Jira project key (ABC)`);
  if (repository === null) {
    await deleteProjectRepository(em, organizationId, projectKey);
    return;
  }
  const tracked = await trackedRepositoryOf(em, organizationId, repository);
  if (!tracked) throw new PermanentError(`jira project: ${repository} is not a repository of organization ${organizationId}`);
  await writeProjectRepository(em, organizationId, projectKey, tracked);
}

export type { JiraProjectRow };

/** An organization's Jira projects: those with stored issues and those mapped, each with its repository (if any) and its issue count. */
export async function jiraProjects(em: EntityManager, organizationId: string): Promise<JiraProjectRow[]> {
  if (!isUuid(organizationId)) throw new PermanentError(`jira projects: ${JSON.stringify(organizationId)} must be an organization UUID`);
  return projectsOf(em, organizationId);
}
