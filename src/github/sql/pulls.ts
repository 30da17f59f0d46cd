import type { EntityManager } from '@mikro-orm/postgresql';
import { pgArray, sql } from '../../db/sql.js';

/** Reads of the pull-request streams (writes: writers.ts). A repository's rows are matched by name and, where kept, full name. */

export interface StoredPull {
  number: number;
  github_id: string;
  updated_at: Date | null;
  state: string;
}

/** The stored pull requests of a repository that are among those listed, or still open. */
export async function storedPulls(em: EntityManager, repo: { name: string; fullName: string }, listedIds: number[]): Promise<StoredPull[]> {
  return sql<StoredPull>(
    em,
    `SELECT p.number, p.github_id, p.updated_at, p.state FROM pull_requests p
       LEFT JOIN github_pull_repositories r ON r.github_id = p.github_id
      WHERE p.repository_name = ? AND (r.repository_full_name = ? OR r.repository_full_name IS NULL)
        AND (p.github_id = ANY(?::bigint[]) OR p.state = 'open')`,
    [repo.name, repo.fullName, pgArray(listedIds)],
  );
}

/** The numbers of a repository's pull requests open in our database, in order. */
export async function openPullNumbers(em: EntityManager, repo: { name: string; fullName: string }): Promise<number[]> {
  const rows = await sql<{ number: number }>(
    em,
    `SELECT p.number FROM pull_requests p LEFT JOIN github_pull_repositories r ON r.github_id = p.github_id
      WHERE p.repository_name = ? AND (r.repository_full_name = ? OR r.repository_full_name IS NULL) AND p.state = 'open'
      ORDER BY p.number`,
    [repo.name, repo.fullName],
  );
  return rows.map((r) => r.number);
}
