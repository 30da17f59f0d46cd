import type { EntityManager } from '@mikro-orm/postgresql';
import { PermanentError } from '../errors/index.js';
import { updateLastActivity } from './queries.js';

/**
 * Recompute developers.last_activity_at from the newest commit, co-authored commit, pull request or
 * review. One UPDATE over indexed MAX() lookups, so it is idempotent and costs no round trips.
 */
export async function refreshActivity(em: EntityManager, developerId: string): Promise<Date | null> {
  const last = await updateLastActivity(em, developerId);
  if (last === undefined) throw new PermanentError(`Developer ${developerId} does not exist`);
  return last;
}
