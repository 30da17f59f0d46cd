import type { EntityManager } from '@mikro-orm/postgresql';
import { sql } from '../../db/sql.js';

/** Count a fallback from git to the API by reason (git_fallback_totals; /metrics shows aexy_git_fallbacks_total by reason). */
export async function recordGitFallback(em: EntityManager, reason: string): Promise<void> {
  await sql(
    em,
    `INSERT INTO git_fallback_totals (reason, fallbacks, last_at) VALUES (?, 1, now())
     ON CONFLICT (reason) DO UPDATE SET fallbacks = git_fallback_totals.fallbacks + 1, last_at = now()`,
    [reason],
  );
}

/** The fallbacks per reason, since the database was made. */
export async function gitFallbackTotals(em: EntityManager): Promise<{ reason: string; fallbacks: string }[]> {
  return sql<{ reason: string; fallbacks: string }>(em, `SELECT reason, fallbacks FROM git_fallback_totals ORDER BY reason`);
}
