import type { EntityManager } from '@mikro-orm/postgresql';
import type { AppConfig } from '../config/index.js';
import { sql } from '../db/sql.js';

/** The retention feature's statements: what each kind deletes, a batch of it, and the totals. */

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

/**
 * What grows for ever unless pruned, each with its own retention (days; 0 keeps everything) and the
 * rows it selects. Each kind is deleted in bounded batches: one short statement per batch (no long
 * transaction, no long lock), the shutdown signal checked between batches, at most
 * RETENTION_MAX_BATCHES per kind and run (the next run goes on where this one stopped).
 */
export interface Pruner {
  kind: string;
  table: string;
  days: (c: AppConfig) => number;
  /** rows older than the cutoff `(SELECT cutoff FROM arg)` that may go */
  where: string;
}

export const PRUNERS: Pruner[] = [
  {
    // Insight history: the latest insight of each type, subject and organization always stays (it is the current one).
    kind: 'insights',
    table: 'predictive_insights',
    days: (c) => c.RETENTION_INSIGHT_DAYS,
    where: `generated_at < (SELECT cutoff FROM arg) AND EXISTS (
              SELECT 1 FROM predictive_insights n WHERE n.insight_type = t.insight_type AND n.developer_id IS NOT DISTINCT FROM t.developer_id
                 AND n.team_id IS NOT DISTINCT FROM t.team_id AND n.generated_at > t.generated_at
                 AND (SELECT o.organization_id FROM predictive_insight_organizations o WHERE o.insight_id = n.id)
                     IS NOT DISTINCT FROM (SELECT o.organization_id FROM predictive_insight_organizations o WHERE o.insight_id = t.id))`,
  },
  // Attempts' idempotency keys go with them (ON DELETE CASCADE); older than any retry or redelivery.
  { kind: 'slack_notification_logs', table: 'slack_notification_logs', days: (c) => c.RETENTION_SLACK_LOG_DAYS, where: `sent_at < (SELECT cutoff FROM arg)` },
  // An entry not refreshed since is simply fetched in full once more.
  { kind: 'github_http_cache', table: 'github_http_cache', days: (c) => c.RETENTION_HTTP_CACHE_DAYS, where: `fetched_at < (SELECT cutoff FROM arg)` },
  {
    // Finished exports whose files are gone (expired) or never came (failed); pending and processing rows are never touched.
    kind: 'export_jobs',
    table: 'export_jobs',
    days: (c) => c.RETENTION_EXPORT_ROW_DAYS,
    where: `status IN ('expired', 'failed') AND coalesce(completed_at, created_at) < (SELECT cutoff FROM arg)`,
  },
  {
    // Claims of delivered report slots: far older than any slot a schedule could deliver again.
    kind: 'report_deliveries',
    table: 'report_deliveries',
    days: (c) => c.RETENTION_REPORT_DELIVERY_DAYS,
    where: `status = 'sent' AND claimed_at < (SELECT cutoff FROM arg)`,
  },
];

/** Delete at most `limit` rows of a kind older than `cutoff`, in one short statement; returns how many went. */
export async function deleteBatch(em: EntityManager, p: Pruner, cutoff: Date, limit: number): Promise<number> {
  const rows = await sql(
    em,
    `WITH arg AS (SELECT ?::timestamptz AS cutoff)
     DELETE FROM ${p.table} WHERE ctid = ANY(ARRAY(SELECT t.ctid FROM ${p.table} t WHERE ${p.where} LIMIT ?)) RETURNING 1`,
    [cutoff.toISOString(), limit],
  );
  return rows.length;
}

/** What has been pruned, per kind, since the database was made. */
export async function prunedTotals(em: EntityManager): Promise<{ kind: string; rows_deleted: string; files_deleted: string }[]> {
  return sql<{ kind: string; rows_deleted: string; files_deleted: string }>(em, `SELECT kind, rows_deleted, files_deleted FROM pruned_totals ORDER BY kind`);
}
