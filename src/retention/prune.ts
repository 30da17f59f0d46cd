import type { Needs } from '../jobs/helpers.js';
import { activeRepositories, mirrorDir, mirroredRepositories, sweepTempClones, withCommitStreamLock } from '../github/sync/index.js';
import { deleteBatch, PRUNERS, recordPruned } from './queries.js';
import { rm } from 'node:fs/promises';
import { DeferredError } from '../errors/index.js';

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
      const rows = await deleteBatch(em, p, cutoff, config.RETENTION_BATCH_SIZE);
      deleted += rows;
      if (rows < config.RETENTION_BATCH_SIZE) break;
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
  const active = new Set((await activeRepositories(em)).map((name) => name.toLowerCase()));
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
