import { defineJob } from '../../jobs/handler.js';
import { drainFollowUps } from '../../people/index.js';
import { developerFollowUp } from './developer-follow-up.contract.js';

export const developerFollowUpJob = defineJob(developerFollowUp, (_data, ctx) => drainFollowUps(ctx));
