import type { TestDatabase } from './db.js';

/**
 * A fixture's work belongs to an organization through its repository, as the sync writes it: the
 * repository tracked for the organization, its commits carrying the full name, its pull requests
 * recorded under it (github_pull_repositories). Rows written by hand with the short name only are
 * attached here (call again after writing more of them).
 */
export async function attachRepository(db: TestDatabase, fullName: string, organizationId: string | null): Promise<void> {
  const short = fullName.split('/')[1]!;
  await db.sql.query(`INSERT INTO tracked_repositories (full_name, organization_id) VALUES ($1, $2) ON CONFLICT (full_name) DO NOTHING`, [
    fullName,
    organizationId,
  ]);
  await db.sql.query(`UPDATE commits SET repository_full_name = $1 WHERE repository_full_name IS NULL AND repository_name = $2`, [fullName, short]);
  await db.sql.query(
    `INSERT INTO github_pull_repositories (github_id, repository_full_name) SELECT github_id, $1 FROM pull_requests WHERE repository_name = $2
     ON CONFLICT (github_id) DO NOTHING`,
    [fullName, short],
  );
}
