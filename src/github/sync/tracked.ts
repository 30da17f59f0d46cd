import type { EntityManager } from '@mikro-orm/postgresql';
import { sql } from '../../db/sql.js';
import { PermanentError } from '../../errors/index.js';
import type { Producer } from '../../queues/producer.js';
import { githubSyncRepo } from '../jobs/github-sync-repo.contract.js';

/**
 * Start (or resume) tracking a repository for an organization: the one place a tracked_repositories
 * row is written. A repository belongs to one organization: tracking it for another is refused
 * (its sync failures, and its numbers' owner, would otherwise be ambiguous); a row of no
 * organization (written before organizations were kept) is claimed. Names match as GitHub matches
 * them, whatever their case. Returns the name it is tracked under.
 */
export async function trackRepository(em: EntityManager, fullName: string, organizationId: string): Promise<string> {
  const [existing] = await sql<{ full_name: string; organization_id: string | null }>(
    em,
    `SELECT full_name, organization_id FROM tracked_repositories WHERE lower(full_name) = lower(?) ORDER BY is_active DESC, created_at LIMIT 1`,
    [fullName],
  );
  if (existing?.organization_id && existing.organization_id !== organizationId) {
    throw new PermanentError(`${existing.full_name} is tracked by organization ${existing.organization_id}; a repository belongs to one organization`);
  }
  if (existing) {
    await sql(em, `UPDATE tracked_repositories SET is_active = true, organization_id = ? WHERE full_name = ?`, [organizationId, existing.full_name]);
    return existing.full_name;
  }
  // A concurrent insert for another organization makes this one insert nothing: refused, not ignored.
  const inserted = await sql(
    em,
    `INSERT INTO tracked_repositories (full_name, organization_id) VALUES (?, ?)
     ON CONFLICT (full_name) DO UPDATE SET is_active = true WHERE tracked_repositories.organization_id = EXCLUDED.organization_id RETURNING id`,
    [fullName, organizationId],
  );
  if (inserted.length === 0) throw new PermanentError(`${fullName} is tracked by another organization; a repository belongs to one organization`);
  return fullName;
}

/** The organization a tracked repository belongs to (null: not tracked, or of none yet). */
export async function organizationOfRepository(em: EntityManager, fullName: string): Promise<string | null> {
  const [row] = await sql<{ organization_id: string | null }>(
    em,
    `SELECT organization_id FROM tracked_repositories WHERE lower(full_name) = lower(?) ORDER BY is_active DESC, created_at LIMIT 1`,
    [fullName],
  );
  return row?.organization_id ?? null;
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
  const rows = await sql(
    em,
    `UPDATE tracked_repositories SET is_active = false WHERE lower(full_name) = lower(?) AND organization_id = ? AND is_active RETURNING id`,
    [fullName, organizationId],
  );
  return rows.length > 0;
}

export async function activeRepositories(em: EntityManager): Promise<string[]> {
  const rows = await sql<{ full_name: string }>(em, `SELECT full_name FROM tracked_repositories WHERE is_active ORDER BY full_name`);
  return rows.map((r) => r.full_name);
}

/** The name a repository is tracked under, matched as GitHub matches names (whatever their case), or null. */
export async function trackedName(em: EntityManager, fullName: string): Promise<string | null> {
  const [row] = await sql<{ full_name: string }>(em, `SELECT full_name FROM tracked_repositories WHERE lower(full_name) = lower(?) AND is_active`, [fullName]);
  return row?.full_name ?? null;
}

/**
 * Link a GitHub account (organization or user login) to an organization, so its webhooks track
 * repositories for it. `replace: false` (github.sync-teams) leaves an existing link alone; the CLI
 * replaces it, an operator's explicit choice. Returns the organization it was linked to before.
 */
export async function linkGitHubAccount(em: EntityManager, login: string, organizationId: string, { replace }: { replace: boolean }): Promise<string | null> {
  const [before] = await sql<{ organization_id: string }>(em, `SELECT organization_id FROM github_organization_links WHERE github_login = lower(?)`, [login]);
  await sql(
    em,
    `INSERT INTO github_organization_links (github_login, organization_id) VALUES (lower(?), ?)
     ON CONFLICT (github_login) DO ${replace ? 'UPDATE SET organization_id = EXCLUDED.organization_id, linked_at = now()' : 'NOTHING'}`,
    [login, organizationId],
  );
  return before?.organization_id ?? null;
}

/** The organization a GitHub account is linked to, or null. */
export async function organizationOfGitHubAccount(em: EntityManager, login: string): Promise<string | null> {
  const [row] = await sql<{ organization_id: string }>(em, `SELECT organization_id FROM github_organization_links WHERE github_login = lower(?)`, [login]);
  return row?.organization_id ?? null;
}
