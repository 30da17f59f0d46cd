import { defineJob } from '../../jobs/handler.js';
import { cleanUpExports } from '../cleanup.js';
import { exportCleanup } from './export-cleanup.contract.js';

export const exportCleanupJob = defineJob(exportCleanup, (_data, ctx) => cleanUpExports(ctx, ctx.queue(exportCleanup.queue)));
