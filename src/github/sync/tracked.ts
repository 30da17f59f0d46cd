import type { EntityManager } from '@mikro-orm/postgresql';
import { PermanentError } from '../../errors/index.js';
import type { Producer } from '../../queues/producer.js';
import { githubSyncRepo } from '../jobs/github-sync-repo.contract.js';
import { deactivateTracked, insertTracked, linkedOrganization, reactivateTracked, trackedRow, writeAccountLink } from '../sql/tracked.js';

export { activeRepositories, trackedName } from '../sql/tracked.js';

/**
 * Start (or resume) tracking a repository for an organization: the one place a tracked_repositories
 * row is written. A repository belongs to one organization: tracking it for another is refused
 * (its sync failures, and its numbers' owner, would otherwise be ambiguous); a row of no
 * organization (written before organizations were kept) is claimed. Names match as GitHub matches
 * them, whatever their case. Returns the name it is tracked under.
 */
export async function trackRepository(em: EntityManager, fullName: string, organizationId: string): Promise<string> {
  const existing = await trackedRow(em, fullName);
  if (existing?.organization_id && existing.organization_id !== organizationId) {
    throw new PermanentError(`${existing.full_name} is tracked by organization ${existing.organization_id}; a repository belongs to one organization`);
  }
  if (existing) {
    await reactivateTracked(em, existing.full_name, organizationId);
    return existing.full_name;
  }
  // A concurrent insert for another organization makes this one insert nothing: refused, not ignored.
  if (!(await insertTracked(em, fullName, organizationId)))
    throw new PermanentError(`${fullName} is tracked by another organization; a repository belongs to one organization`);
  return fullName;
}

/** The organization a tracked repository belongs to (null: not tracked, or of none yet). */
export async function organizationOfRepository(em: EntityManager, fullName: string): Promise<string | null> {
  return (await trackedRow(em, fullName))?.organization_id ?? null;
}

/**
 * The producer API for tracking: track the repository for the organization, then queue its first
 * (incremental) sync once the row is written. Used by the CLI, webhooks and the demo.
 */
export async function startTracking(
  em: EntityManager,
  producer: Producer,
  { repository, organizationId }: { repository: string; organizationId: string },
): Promise<{ repository: string; jobId: string | undefined }> {
  const name = await trackRepository(em, repository, organizationId);
  const job = await producer.enqueue(githubSyncRepo, { repository: name });
  return { repository: name, jobId: job.id };
}

/** Stop tracking (an uninstalled, archived or deleted repository): its rows stay, the sync stops. */
export async function untrackRepository(em: EntityManager, fullName: string, organizationId: string): Promise<boolean> {
  return deactivateTracked(em, fullName, organizationId);
}

/**
 * Link a GitHub account (organization or user login) to an organization, so its webhooks track
 * repositories for it. `replace: false` (github.sync-teams) leaves an existing link alone; the CLI
 * replaces it, an operator's explicit choice. Returns the organization it was linked to before.
 */
export async function linkGitHubAccount(em: EntityManager, login: string, organizationId: string, { replace }: { replace: boolean }): Promise<string | null> {
  const before = await linkedOrganization(em, login);
  await writeAccountLink(em, login, organizationId, { replace });
  return before;
}

/** The organization a GitHub account is linked to, or null. */
export async function organizationOfGitHubAccount(em: EntityManager, login: string): Promise<string | null> {
  return linkedOrganization(em, login);
}
