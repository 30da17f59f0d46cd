import type { EntityManager } from '@mikro-orm/postgresql';
import { sql } from '../../db/sql.js';

/** Reads of the commit stream (writes: writers.ts). */

/** Whether any commit of the repository is stored. */
export async function anyCommitStored(em: EntityManager, repo: string): Promise<boolean> {
  const [row] = await sql<{ any: boolean }>(em, `SELECT EXISTS (SELECT 1 FROM commits WHERE repository_full_name = ?) AS any`, [repo]);
  return row!.any;
}

/** Every stored sha of the repository. */
export async function storedShas(em: EntityManager, repo: string): Promise<string[]> {
  const rows = await sql<{ sha: string }>(em, `SELECT sha FROM commits WHERE repository_full_name = ?`, [repo]);
  return rows.map((r) => r.sha);
}
