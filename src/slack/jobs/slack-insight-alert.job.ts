import { defineJob } from '../../jobs/handler.js';
import { alertInsight } from '../notifications.js';
import { slackInsightAlert } from './slack-insight-alert.contract.js';

export const slackInsightAlertJob = defineJob(slackInsightAlert, ({ insightId }, ctx) => alertInsight(ctx, insightId));
