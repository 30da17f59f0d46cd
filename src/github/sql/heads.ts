import type { EntityManager } from '@mikro-orm/postgresql';
import { sql } from '../../db/sql.js';

/** The commit stream's state of one repository (github_commit_heads; see commit-sync.ts). */
export interface HeadState {
  branch: string;
  /** Everything reachable from this sha is stored (null: nothing synced yet). */
  head: string | null;
  /** The head a run is on its way to; set before any work, cleared when reached. */
  target: string | null;
}

export async function readHead(em: EntityManager, repo: string): Promise<HeadState | null> {
  const [row] = await sql<{ branch: string; head_sha: string | null; target_sha: string | null }>(
    em,
    `SELECT branch, head_sha, target_sha FROM github_commit_heads WHERE repository_full_name = ?`,
    [repo],
  );
  return row ? { branch: row.branch, head: row.head_sha, target: row.target_sha } : null;
}

/** Saved on its own (after the chunk transactions it follows have committed). */
export async function saveHead(em: EntityManager, repo: string, s: HeadState): Promise<void> {
  await sql(
    em,
    `INSERT INTO github_commit_heads (repository_full_name, branch, head_sha, target_sha) VALUES (?, ?, ?, ?)
     ON CONFLICT (repository_full_name) DO UPDATE
        SET branch = EXCLUDED.branch, head_sha = EXCLUDED.head_sha, target_sha = EXCLUDED.target_sha, updated_at = now()`,
    [repo, s.branch, s.head, s.target],
  );
}

/** The target a run saved, locked for this transaction (a run removes commits only for its own target). */
export async function lockTarget(em: EntityManager, repo: string): Promise<string | null> {
  const [row] = await sql<{ target_sha: string | null }>(em, `SELECT target_sha FROM github_commit_heads WHERE repository_full_name = ? FOR UPDATE`, [repo]);
  return row?.target_sha ?? null;
}
