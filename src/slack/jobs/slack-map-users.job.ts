import { defineJob } from '../../jobs/handler.js';
import { mapUsersByEmail } from '../user-mappings.js';
import { slackMapUsers } from './slack-map-users.contract.js';

export const slackMapUsersJob = defineJob(slackMapUsers, ({ organizationId }, ctx) => mapUsersByEmail(ctx, organizationId));
