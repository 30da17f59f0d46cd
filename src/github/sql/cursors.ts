import type { EntityManager } from '@mikro-orm/postgresql';
import type { SyncStream } from '../../entities/github-sync-cursor.js';
import { sql } from '../../db/sql.js';

export async function readCursor(em: EntityManager, repo: string, stream: SyncStream): Promise<Date | null> {
  const [row] = await sql<{ cursor_at: Date }>(em, `SELECT cursor_at FROM github_sync_cursors WHERE repository_full_name = ? AND stream = ?`, [repo, stream]);
  return row ? new Date(row.cursor_at) : null;
}

/**
 * Move a cursor forward (never back), and only once the data it covers has been committed: call it
 * after the transaction. Writes nothing when the cursor would not move. Returns whether it moved.
 */
export async function advanceCursor(em: EntityManager, repo: string, stream: SyncStream, to: Date): Promise<boolean> {
  const rows = await sql(
    em,
    `INSERT INTO github_sync_cursors (repository_full_name, stream, cursor_at) VALUES (?, ?, ?)
     ON CONFLICT (repository_full_name, stream) DO UPDATE SET cursor_at = EXCLUDED.cursor_at, updated_at = now()
      WHERE github_sync_cursors.cursor_at < EXCLUDED.cursor_at
     RETURNING 1`,
    [repo, stream, to],
  );
  return rows.length > 0;
}
