import { z } from 'zod';
import { defineContract } from '../../jobs/contract.js';

/** Recommended activities of a learning path from the LLM (the catalog's when it cannot answer). */
export const careerRecommend = defineContract({
  name: 'career.recommend',
  queue: 'insights',
  handler: () => import('./career-recommend.job.js'),
  schema: z.object({ learningPathId: z.uuid({ message: 'must be a learning path UUID' }) }).strict(),
  options: { attempts: 3, backoff: { type: 'exponential', delay: 10_000 } },
  deduplicationId: (d) => `career.recommend-${d.learningPathId}`,
});
