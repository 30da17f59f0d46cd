import { defineJob } from '../../jobs/handler.js';
import { refreshActivity } from '../activity.js';
import { developerRefreshActivity } from './developer-refresh-activity.contract.js';

export const developerRefreshActivityJob = defineJob(developerRefreshActivity, async ({ developerId }, { em, log }) => {
  const lastActivityAt = await refreshActivity(em, developerId);
  log.debug({ developerId, lastActivityAt }, 'activity refreshed');
  return { developerId, lastActivityAt };
});
