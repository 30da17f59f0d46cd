import type { EntityManager } from '@mikro-orm/postgresql';
import { sql } from '../db/sql.js';

/** Start (or resume) tracking a repository: the one place a tracked_repositories row is written. */
export async function trackRepository(em: EntityManager, fullName: string): Promise<void> {
  await sql(em, `INSERT INTO tracked_repositories (full_name) VALUES (?) ON CONFLICT (full_name) DO UPDATE SET is_active = true`, [fullName]);
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
