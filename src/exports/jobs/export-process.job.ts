import { defineJob } from '../../jobs/handler.js';
import { processExport } from '../process.js';
import { exportProcess } from './export-process.contract.js';

export const exportProcessJob = defineJob(exportProcess, ({ exportJobId }, ctx) => processExport(ctx, exportJobId));
