import { defineJob } from '../../jobs/handler.js';
import { generateInsight } from '../generate.js';
import { insightGenerate } from './insight-generate.contract.js';

export const insightGenerateJob = defineJob(insightGenerate, (data, ctx) => generateInsight(ctx, data));
