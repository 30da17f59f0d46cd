import type { DeploymentSource } from '../../entities/delivery.js';
import { deploymentsToShip, writeShipment } from '../sql/deployments.js';
import { withCommitStreamLock } from './commit-lock.js';
import { hasCommit, revList } from './git.js';
import { initialWindowStart, type SyncOptions } from './stream-options.js';

/**
 * What each successful production deployment shipped, from the repository's git mirror: exactly
 * `git rev-list <its sha> ^<the sha live before it>` (the first: back to GITHUB_SYNC_INITIAL_DAYS). A
 * rollback (an ancestor of what was live) and a redeploy of the same sha ship nothing; a sha the
 * mirror does not have (force-pushed away, a fork's) ships nothing known and is recorded as unknown,
 * and the next deployment counts from the last sha that was live. Computed in order of first success,
 * from the earliest deployment not computed yet (a deployment learnt late recomputes those after it),
 * under the commit stream's lock (the mirror is fetched under it). Without a mirror (commits from the
 * API) nothing is computed. Returns the deployments computed.
 */
export async function recordShipments(opts: SyncOptions, source: DeploymentSource): Promise<number> {
  if (!opts.mirror) return 0;
  const { before, deployments } = await deploymentsToShip(opts.em, opts.repo, source);
  if (deployments.length === 0) return 0;
  return withCommitStreamLock(opts.em, opts.repo, async () => {
    const mirror = await opts.mirror!();
    if (!mirror) return 0;
    let live = before;
    for (const d of deployments) {
      opts.signal?.throwIfAborted();
      if (!(await hasCommit(mirror, d.sha))) {
        await writeShipment(opts.em, d.id, { previousSha: live, shaKnown: false, commits: [] });
        continue;
      }
      const commits = live ? await revList(mirror, d.sha, [live]) : await revList(mirror, d.sha, [], initialWindowStart(opts));
      await writeShipment(opts.em, d.id, { previousSha: live, shaKnown: true, commits });
      live = d.sha;
    }
    return deployments.length;
  });
}
