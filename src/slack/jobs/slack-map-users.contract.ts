import { z } from 'zod';
import { defineContract } from '../../jobs/contract.js';

/** Map an organization's developers to their Slack users by email (users.lookupByEmail). */
export const slackMapUsers = defineContract({
  name: 'slack.map-users',
  queue: 'slack',
  handler: () => import('./slack-map-users.job.js'),
  schema: z.object({ organizationId: z.uuid({ message: 'must be an organization UUID' }) }).strict(),
  options: { attempts: 5, backoff: { type: 'exponential', delay: 5_000 } },
  deduplicationId: (d) => `slack.map-users-${d.organizationId}`,
});
