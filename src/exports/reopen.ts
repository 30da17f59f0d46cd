import type { EntityManager } from '@mikro-orm/postgresql';
import { sql } from '../db/sql.js';

/**
 * Before an operator's retry of a failed `export.process` job (`aexy jobs retry`): a failed export
 * goes back to pending, so the job really produces its file again (the job skips an export that is
 * not pending or processing). An export that completed, expired or is gone is not redone: the
 * reason is returned, and the job is not retried.
 */
export async function reopenExport(em: EntityManager, exportJobId: string): Promise<{ reopened: true } | { refused: string }> {
  const [row] = await sql<{ status: string }>(
    em,
    `WITH prior AS (SELECT status FROM export_jobs WHERE id = ?),
          reopened AS (UPDATE export_jobs SET status = 'pending', error_message = NULL, completed_at = NULL WHERE id = ? AND status = 'failed' RETURNING status)
     SELECT (SELECT status FROM prior) AS status`,
    [exportJobId, exportJobId],
  );
  if (!row?.status) return { refused: `export ${exportJobId} no longer exists` };
  if (row.status === 'failed' || row.status === 'pending' || row.status === 'processing') return { reopened: true };
  return { refused: `export ${exportJobId} is ${row.status}: there is nothing to redo (request a new export)` };
}
