import { defineJob } from '../../jobs/handler.js';
import { recommendActivities } from '../recommend.js';
import { careerRecommend } from './career-recommend.contract.js';

export const careerRecommendJob = defineJob(careerRecommend, ({ learningPathId }, ctx) => recommendActivities(ctx, learningPathId));
