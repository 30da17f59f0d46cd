import { defineJob } from '../../jobs/handler.js';
import { refreshProfile } from '../refresh.js';
import { developerRefreshProfile } from './developer-refresh-profile.contract.js';

export const developerRefreshProfileJob = defineJob(developerRefreshProfile, ({ developerId }, { em }) => refreshProfile(em, developerId));
