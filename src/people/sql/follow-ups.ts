import type { EntityManager } from '@mikro-orm/postgresql';
import { pgArray, sql } from '../../db/sql.js';

/**
 * Follow-ups that must survive pauses, retries, stalls and kill -9. A developer whose work changed
 * is marked in developer_dirty by the very transaction that changed it; the mark is cleared by the
 * profile refresh that has seen that change. Draining (after each sync, and every few minutes by
 * the developer.follow-up scheduler) queues one deduplicated refresh per marked developer, and one
 * github.sync-developer per developer never fetched from GitHub.
 */

/** Mark developers for a profile refresh; call inside the transaction that changed their work. */
export async function markDirty(em: EntityManager, developerIds: Iterable<string>): Promise<void> {
  const ids = [...new Set(developerIds)];
  if (ids.length === 0) return;
  // A fresh token per mark: a refresh that read an older token does not clear a newer mark.
  await sql(
    em,
    `INSERT INTO developer_dirty (developer_id, token)
     SELECT id, gen_random_uuid() FROM unnest(?::uuid[]) AS id
     ON CONFLICT (developer_id) DO UPDATE SET token = EXCLUDED.token, marked_at = now()`,
    [pgArray(ids)],
  );
}

/** The mark a refresh is about to satisfy (read before the refresh reads the work). */
export async function dirtyToken(em: EntityManager, developerId: string): Promise<string | null> {
  const [row] = await sql<{ token: string }>(em, `SELECT token FROM developer_dirty WHERE developer_id = ?`, [developerId]);
  return row?.token ?? null;
}

/** Clear the mark, unless the developer was marked again meanwhile. */
export async function clearDirty(em: EntityManager, developerId: string, token: string | null): Promise<void> {
  if (token) await sql(em, `DELETE FROM developer_dirty WHERE developer_id = ? AND token = ?`, [developerId, token]);
}

export interface PendingFollowUps {
  /** Developers whose profile must be recomputed (people only: bots' marks are dropped). */
  refresh: string[];
  /** Logins never fetched from GitHub (people only). */
  enrich: string[];
}

/** What is pending, up to `limit` of each (the rest is picked up by the next drain). */
export async function pendingFollowUps(em: EntityManager, limit = 5_000): Promise<PendingFollowUps> {
  await sql(em, `DELETE FROM developer_dirty d USING developer_bots b WHERE b.developer_id = d.developer_id`);
  const refresh = await sql<{ developer_id: string }>(em, `SELECT developer_id FROM developer_dirty ORDER BY marked_at LIMIT ?`, [limit]);
  const enrich = await sql<{ github_username: string }>(
    em,
    `SELECT d.github_username FROM developers d
      WHERE d.github_created_at IS NULL AND d.github_username ~ '^[A-Za-z0-9][A-Za-z0-9-]{0,38}$'
        AND NOT EXISTS (SELECT 1 FROM github_user_syncs s WHERE s.developer_id = d.id)
        AND NOT EXISTS (SELECT 1 FROM developer_bots b WHERE b.developer_id = d.id)
      ORDER BY d.created_at LIMIT ?`,
    [limit],
  );
  return { refresh: refresh.map((r) => r.developer_id), enrich: enrich.map((r) => r.github_username) };
}

/** Record the outcome of fetching a developer from GitHub. */
export async function recordUserSync(em: EntityManager, developerId: string, status: 'done' | 'missing'): Promise<void> {
  await sql(
    em,
    `INSERT INTO github_user_syncs (developer_id, status) VALUES (?, ?)
     ON CONFLICT (developer_id) DO UPDATE SET status = EXCLUDED.status, synced_at = now()`,
    [developerId, status],
  );
}
