import { defineJob } from '../../jobs/handler.js';
import { deliverScheduledReport, firedFor } from '../delivery/deliver.js';
import { reportDeliver } from './report-deliver.contract.js';

export const reportDeliverJob = defineJob(reportDeliver, ({ scheduledReportId }, ctx) =>
  deliverScheduledReport(ctx, scheduledReportId, { holder: String(ctx.job.id), firedAt: firedFor(ctx.job.id) }),
);
