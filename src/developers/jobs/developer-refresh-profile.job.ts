import { careerRefreshPaths } from '../../career/jobs/career-refresh-paths.contract.js';
import { hasActivePaths } from '../../career/index.js';
import { defineJob } from '../../jobs/handler.js';
import { refreshProfile } from '../refresh.js';
import { developerRefreshProfile } from './developer-refresh-profile.contract.js';

export const developerRefreshProfileJob = defineJob(developerRefreshProfile, async ({ developerId }, ctx) => {
  const result = await refreshProfile(ctx.em, developerId);
  // New work may move the developer's learning paths.
  if (!('skipped' in result) && (await hasActivePaths(ctx.em, developerId))) ctx.enqueueAfter(careerRefreshPaths, { developerId });
  return result;
});
