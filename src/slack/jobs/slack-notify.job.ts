import { defineJob } from '../../jobs/handler.js';
import { notifyCareerProgress, notifyExportReady, notifySyncFailures, notifyWeeklyTeamSummary } from '../notifications.js';
import { jobKey } from '../post-once.js';
import { slackNotify } from './slack-notify.contract.js';

export const slackNotifyJob = defineJob(slackNotify, (data, ctx) => {
  switch (data.kind) {
    case 'export_ready':
      return notifyExportReady(ctx, data.exportJobId);
    case 'sync_failure_digest':
      return notifySyncFailures(ctx, data.organizationId, jobKey(ctx.job));
    case 'weekly_team_summary':
      return notifyWeeklyTeamSummary(ctx, data.teamId, jobKey(ctx.job));
    case 'career_milestone':
      return notifyCareerProgress(ctx, { milestoneId: data.milestoneId });
    case 'career_path':
      return notifyCareerProgress(ctx, { learningPathId: data.learningPathId });
  }
});
