import type { EntityManager } from '@mikro-orm/postgresql';
import { discardPgClient, withPgClient } from '../../db/sql.js';
import { DeferredError } from '../../errors/index.js';
import { advisoryUnlock, tryAdvisoryLock } from '../sql/locks.js';

/** How long a sync that found the commit stream busy waits before it runs again. */
export const COMMIT_STREAM_BUSY_RETRY_MS = 10_000;

/**
 * One commit stream per repository at a time, across every worker process: a PostgreSQL session
 * advisory lock, held on a connection of its own from before the branch is read until its head is
 * saved (the repository's git mirror is fetched and read under it too). A run that finds it taken
 * is deferred (DeferredError: parked, no attempt spent) and reads the branch afresh when it runs
 * again, so a stale run can never treat a newer head as a force-push. A worker that dies loses its
 * connection, and PostgreSQL releases the lock with it.
 */
export async function withCommitStreamLock<T>(em: EntityManager, repo: string, fn: () => Promise<T>): Promise<T> {
  const key = `aexy.commit-stream:${repo}`;
  return withPgClient(em, async (client) => {
    if (!(await tryAdvisoryLock(client, key))) {
      throw new DeferredError(`the commits of ${repo} are being synced by another job`, new Date(Date.now() + COMMIT_STREAM_BUSY_RETRY_MS));
    }
    try {
      return await fn();
    } finally {
      await advisoryUnlock(client, key).catch((err: Error) => {
        // The session is unusable: closing it releases the lock.
        discardPgClient(client, err);
      });
    }
  });
}
