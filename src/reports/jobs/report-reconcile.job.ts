import { defineJob } from '../../jobs/handler.js';
import { reconcileReportSchedulers } from '../scheduling/reconcile.js';
import { reportReconcile } from './report-reconcile.contract.js';

export const reportReconcileJob = defineJob(reportReconcile, (_data, ctx) => reconcileReportSchedulers(ctx, ctx.producer));
