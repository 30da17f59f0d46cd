import { defineJob } from '../../jobs/handler.js';
import { refreshLearningPaths } from '../progress.js';
import { careerRefreshPaths } from './career-refresh-paths.contract.js';

export const careerRefreshPathsJob = defineJob(careerRefreshPaths, ({ developerId }, ctx) => refreshLearningPaths(ctx, developerId));
