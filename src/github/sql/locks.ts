import type { PgQueryable } from '../../db/sql.js';
import { sql } from '../../db/sql.js';

/** PostgreSQL session advisory locks by name (hashtextextended), on a connection held by the caller. */

export async function tryAdvisoryLock(client: PgQueryable, key: string): Promise<boolean> {
  const [row] = await sql<{ locked: boolean }>(client, `SELECT pg_try_advisory_lock(hashtextextended(?, 0)) AS locked`, [key]);
  return row!.locked;
}

export async function advisoryUnlock(client: PgQueryable, key: string): Promise<void> {
  await sql(client, `SELECT pg_advisory_unlock(hashtextextended(?, 0))`, [key]);
}
