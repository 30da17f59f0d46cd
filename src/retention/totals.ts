import type { EntityManager } from '@mikro-orm/postgresql';
import { sql } from '../db/sql.js';

/** Add to what has been pruned of a kind (pruned_totals, exposed by /metrics as counters). */
export async function recordPruned(em: EntityManager, kind: string, rows: number, files = 0): Promise<void> {
  await sql(
    em,
    `INSERT INTO pruned_totals (kind, rows_deleted, files_deleted, last_run_at) VALUES (?, ?, ?, now())
     ON CONFLICT (kind) DO UPDATE SET rows_deleted = pruned_totals.rows_deleted + EXCLUDED.rows_deleted,
            files_deleted = pruned_totals.files_deleted + EXCLUDED.files_deleted, last_run_at = now()`,
    [kind, rows, files],
  );
}
