import type { EntityManager } from '@mikro-orm/postgresql';
import { sql } from '../../db/sql.js';

/** The statements of tracked_repositories and github_organization_links (what src/github/sync/tracked.ts decides with). */

/** The row a name is tracked under, matched as GitHub matches names (whatever their case): the active one first, else the oldest. */
export async function trackedRow(em: EntityManager, fullName: string): Promise<{ full_name: string; organization_id: string | null } | null> {
  const [row] = await sql<{ full_name: string; organization_id: string | null }>(
    em,
    `SELECT full_name, organization_id FROM tracked_repositories WHERE lower(full_name) = lower(?) ORDER BY is_active DESC, created_at LIMIT 1`,
    [fullName],
  );
  return row ?? null;
}

/** Make a stored row active for an organization. */
export async function reactivateTracked(em: EntityManager, fullName: string, organizationId: string): Promise<void> {
  await sql(em, `UPDATE tracked_repositories SET is_active = true, organization_id = ? WHERE full_name = ?`, [organizationId, fullName]);
}

/** Insert a row for an organization (or reactivate one of the same organization); false when another organization holds the name. */
export async function insertTracked(em: EntityManager, fullName: string, organizationId: string): Promise<boolean> {
  const inserted = await sql(
    em,
    `INSERT INTO tracked_repositories (full_name, organization_id) VALUES (?, ?)
     ON CONFLICT (full_name) DO UPDATE SET is_active = true WHERE tracked_repositories.organization_id = EXCLUDED.organization_id RETURNING id`,
    [fullName, organizationId],
  );
  return inserted.length > 0;
}

/** Deactivate an organization's active row; false when there was none. */
export async function deactivateTracked(em: EntityManager, fullName: string, organizationId: string): Promise<boolean> {
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

/** A sync run's outcome on its repository: the error it failed with (scrubbed by the caller), or success (the error cleared). */
export async function recordSyncError(em: EntityManager, fullName: string, message: string): Promise<void> {
  await sql(em, `UPDATE tracked_repositories SET last_error = ? WHERE full_name = ?`, [message, fullName]);
}

export async function recordSyncSuccess(em: EntityManager, fullName: string): Promise<void> {
  await sql(em, `UPDATE tracked_repositories SET last_synced_at = now(), last_error = NULL WHERE full_name = ?`, [fullName]);
}

/** The organization a GitHub account (organization or user login) is linked to, or null. */
export async function linkedOrganization(em: EntityManager, login: string): Promise<string | null> {
  const [row] = await sql<{ organization_id: string }>(em, `SELECT organization_id FROM github_organization_links WHERE github_login = lower(?)`, [login]);
  return row?.organization_id ?? null;
}

/** Link an account to an organization; `replace: false` leaves an existing link alone. */
export async function writeAccountLink(em: EntityManager, login: string, organizationId: string, { replace }: { replace: boolean }): Promise<void> {
  await sql(
    em,
    `INSERT INTO github_organization_links (github_login, organization_id) VALUES (lower(?), ?)
     ON CONFLICT (github_login) DO ${replace ? 'UPDATE SET organization_id = EXCLUDED.organization_id, linked_at = now()' : 'NOTHING'}`,
    [login, organizationId],
  );
}
