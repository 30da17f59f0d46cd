import type { EntityManager } from '@mikro-orm/postgresql';
import { sql } from '../db/sql.js';
import { PermanentError } from '../errors/index.js';
import { lastActivityOf } from './evidence.js';

/**
 * Recompute developers.last_activity_at from the newest commit, co-authored commit, pull request or
 * review. One UPDATE over indexed MAX() lookups, so it is idempotent and costs no round trips.
 */
export async function refreshActivity(em: EntityManager, developerId: string): Promise<Date | null> {
  const [row] = await sql<{ last_activity_at: Date | null }>(
    em,
    `UPDATE developers d SET last_activity_at = ${lastActivityOf('d.id')}, updated_at = now() WHERE d.id = ? RETURNING d.last_activity_at`,
    [developerId],
  );
  if (!row) throw new PermanentError(`Developer ${developerId} does not exist`);
  return row.last_activity_at;
}
