import { z } from 'zod';
import { defineJob } from '../../queues/job-definition.js';
import { PermanentError } from '../../queues/errors.js';
import { LAST_ACTIVITY_SQL } from '../../profiles/evidence.js';

export const developerRefreshActivitySchema = z
  .object({
    developerId: z.uuid({ message: 'must be a developer UUID' }),
  })
  .strict();

/**
 * Recompute developers.last_activity_at from the newest commit, pull request or review.
 * One UPDATE … FROM over indexed MAX() lookups, so it is idempotent and costs no round trips.
 */
export const developerRefreshActivity = defineJob({
  name: 'developer.refresh-activity',
  queue: 'profiles',
  schema: developerRefreshActivitySchema,
  deduplicationId: (d) => `developer.refresh-activity-${d.developerId}`,
  async process({ developerId }, { em, log }) {
    const rows: { last_activity_at: Date | null }[] = await em.getConnection().execute(
      `UPDATE developers d
          SET last_activity_at = a.last_activity_at, updated_at = now()
         FROM (SELECT ${LAST_ACTIVITY_SQL} AS last_activity_at) a
        WHERE d.id = ?
        RETURNING d.last_activity_at`,
      [developerId, developerId, developerId, developerId, developerId],
    );
    const row = rows[0];
    if (!row) throw new PermanentError(`Developer ${developerId} does not exist`);
    log.debug({ developerId, lastActivityAt: row.last_activity_at }, 'activity refreshed');
    return { developerId, lastActivityAt: row.last_activity_at };
  },
});
