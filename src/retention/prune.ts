import type { AppConfig } from '../config/index.js';
import { sql } from '../db/sql.js';
import type { Needs } from '../jobs/helpers.js';
import { recordPruned } from './totals.js';
import { rm } from 'node:fs/promises';
import { DeferredError } from '../errors/index.js';
import { withCommitStreamLock } from '../github/sync/commit-lock.js';
import { mirrorDir, mirroredRepositories, sweepTempClones } from '../github/sync/git.js';

/**
 * What grows for ever unless pruned, each with its own retention (days; 0 keeps everything) and the
 * rows it selects. Each kind is deleted in bounded batches: one short statement per batch (no long
 * transaction, no long lock), the shutdown signal checked between batches, at most
 * RETENTION_MAX_BATCHES per kind and run (the next run goes on where this one stopped).
 */
interface Pruner {
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

export async function pruneAll(ctx: Needs<'em' | 'config' | 'log' | 'signal'>): Promise<Record<string, number | 'kept'>> {
  const { em, config, log } = ctx;
  const out: Record<string, number | 'kept'> = {};
  for (const p of PRUNERS) {
    const days = p.days(config);
    if (days === 0) {
      out[p.kind] = 'kept';
      continue;
    }
    const cutoff = new Date(Date.now() - days * 86_400_000);
    let deleted = 0;
    for (let batch = 0; batch < config.RETENTION_MAX_BATCHES; batch++) {
      ctx.signal.throwIfAborted();
      const rows = await sql(
        em,
        `WITH arg AS (SELECT ?::timestamptz AS cutoff)
         DELETE FROM ${p.table} WHERE ctid = ANY(ARRAY(SELECT t.ctid FROM ${p.table} t WHERE ${p.where} LIMIT ?)) RETURNING 1`,
        [cutoff.toISOString(), config.RETENTION_BATCH_SIZE],
      );
      deleted += rows.length;
      if (rows.length < config.RETENTION_BATCH_SIZE) break;
    }
    out[p.kind] = deleted;
    await recordPruned(em, p.kind, deleted);
    if (deleted) log.info({ kind: p.kind, deleted, olderThan: cutoff.toISOString(), retentionDays: days }, 'pruned');
  }
  out.git_mirrors = await pruneMirrors(ctx);
  return out;
}

/** A temporary clone this old was left by a process killed mid-clone (a clone in progress is younger). */
export const TEMP_CLONE_MAX_AGE_MS = 6 * 3600_000;

/**
 * Git mirrors of repositories no longer tracked (no active tracked_repositories row) are removed,
 * each under its repository's commit-stream lock (one being synced is left for the next run), and
 * temporary clones older than TEMP_CLONE_MAX_AGE_MS are swept. Counted as files of `git_mirrors`.
 */
async function pruneMirrors(ctx: Needs<'em' | 'config' | 'log' | 'signal'>): Promise<number> {
  const { em, config, log } = ctx;
  const active = new Set((await sql<{ name: string }>(em, `SELECT lower(full_name) AS name FROM tracked_repositories WHERE is_active`)).map((r) => r.name));
  const removed: string[] = [];
  for (const repo of await mirroredRepositories(config)) {
    ctx.signal.throwIfAborted();
    if (active.has(repo.toLowerCase())) continue;
    try {
      await withCommitStreamLock(em, repo, () => rm(mirrorDir(config, repo), { recursive: true, force: true }));
      removed.push(repo);
    } catch (err) {
      if (!(err instanceof DeferredError)) throw err;
    }
  }
  const temps = await sweepTempClones(config, TEMP_CLONE_MAX_AGE_MS);
  if (removed.length + temps.length) log.info({ mirrors: removed, tempClones: temps.length }, 'git mirrors of untracked repositories removed');
  await recordPruned(em, 'git_mirrors', 0, removed.length + temps.length);
  return removed.length + temps.length;
}
