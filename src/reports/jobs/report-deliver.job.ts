import { defineJob } from '../../jobs/handler.js';
import { deliverScheduledReport } from '../deliver.js';
import { reportDeliver } from './report-deliver.contract.js';

export const reportDeliverJob = defineJob(reportDeliver, ({ scheduledReportId }, ctx) => deliverScheduledReport(ctx, scheduledReportId));
