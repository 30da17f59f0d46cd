import type { DeploymentSource } from '../../entities/delivery.js';
import { deploymentsToShip, storedCommit, storedRevList, writeShipment } from '../sql/deployments.js';
import { withCommitStreamLock } from './commit-lock.js';
import { hasCommit, revList, type Mirror } from './git.js';
import { initialWindowStart, type SyncOptions } from './stream-options.js';

/**
 * What each successful production deployment shipped: exactly `git rev-list <its sha> ^<the sha live
 * before it>` (the first: back to GITHUB_SYNC_INITIAL_DAYS), on the repository's git mirror, or over
 * the stored commit graph when commits come from the API (the same walk over commit_graph's parents).
 * A rollback (an ancestor of what was live) and a redeploy of the same sha ship nothing; a sha the
 * repository does not have (force-pushed away, a fork's) ships nothing known and is recorded as
 * unknown, and the next deployment counts from the last sha that was live (from the stored graph: only
 * once the commit stream has synced since the deployment; until then it and those after it wait). Computed in order of first
 * success, from the earliest deployment not computed yet (a deployment learnt late recomputes those
 * after it); from the mirror under the commit stream's lock (the mirror is fetched under it).
 * Returns the deployments computed.
 */
export async function recordShipments(opts: SyncOptions, source: DeploymentSource): Promise<number> {
  const { before, deployments } = await deploymentsToShip(opts.em, opts.repo, source);
  if (deployments.length === 0) return 0;
  const walk = async (history: History) => {
    let live = before;
    let done = 0;
    for (const d of deployments) {
      opts.signal?.throwIfAborted();
      const has = await history.has(d.sha, d.succeeded_at);
      // Its commits are not stored yet: this one and those after it wait for the next run.
      if (has === 'not yet') return done;
      done += 1;
      if (!has) {
        await writeShipment(opts.em, d.id, { previousSha: live, shaKnown: false, commits: [] });
        continue;
      }
      await writeShipment(opts.em, d.id, { previousSha: live, shaKnown: true, commits: await history.revList(d.sha, live) });
      live = d.sha;
    }
    return done;
  };
  if (!opts.mirror) return walk(storedHistory(opts));
  return withCommitStreamLock(opts.em, opts.repo, async () => {
    const mirror = await opts.mirror!();
    return walk(mirror ? gitHistory(opts, mirror) : storedHistory(opts));
  });
}

/** Where what a deployment shipped is read: git, or the stored commit graph. */
interface History {
  /** 'not yet': the stored history may still get it (the commit stream has not synced since the deployment) */
  has(sha: string, deployedAt: Date): Promise<boolean | 'not yet'>;
  /** oldest first: what `sha` has that `live` has not (without `live`: back to the initial window) */
  revList(sha: string, live: string | null): Promise<string[]>;
}

const gitHistory = (opts: SyncOptions, mirror: Mirror): History => ({
  has: (sha) => hasCommit(mirror, sha),
  revList: (sha, live) => (live ? revList(mirror, sha, [live]) : revList(mirror, sha, [], initialWindowStart(opts))),
});

const storedHistory = (opts: SyncOptions): History => ({
  has: (sha, at) => storedCommit(opts.em, opts.repo, sha, at),
  revList: (sha, live) => storedRevList(opts.em, sha, live, initialWindowStart(opts)),
});
