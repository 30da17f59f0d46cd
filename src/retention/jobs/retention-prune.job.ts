import { defineJob } from '../../jobs/handler.js';
import { pruneAll } from '../prune.js';
import { retentionPrune } from './retention-prune.contract.js';

export const retentionPruneJob = defineJob(retentionPrune, (_data, ctx) => pruneAll(ctx));
