/**
 * The worker's job index: the one module that sees every handler. Producers import contracts
 * (src/jobs) instead; only the worker runtime, the demo and tests load this.
 */
import { exportCleanupJob } from '../exports/jobs/export-cleanup.job.js';
import { exportProcessJob } from '../exports/jobs/export-process.job.js';
import { insightGenerateJob } from '../insights/jobs/insight-generate.job.js';
import { insightRefreshJob } from '../insights/jobs/insight-refresh.job.js';
import type { AnyJobHandler } from '../jobs/handler.js';
import { developerFollowUpJob } from '../profiles/jobs/developer-follow-up.job.js';
import { developerRefreshActivityJob } from '../profiles/jobs/developer-refresh-activity.job.js';
import { developerRefreshProfileJob } from '../profiles/jobs/developer-refresh-profile.job.js';
import { reportDeliverJob } from '../reports/jobs/report-deliver.job.js';
import { reportReconcileJob } from '../reports/jobs/report-reconcile.job.js';
import { slackFanOutJob } from '../slack/jobs/slack-fan-out.job.js';
import { slackInsightAlertJob } from '../slack/jobs/slack-insight-alert.job.js';
import { slackNotifyJob } from '../slack/jobs/slack-notify.job.js';
import { slackMapUsersJob } from '../slack/jobs/slack-map-users.job.js';
import { retentionPruneJob } from '../retention/jobs/retention-prune.job.js';
import { careerRecommendJob } from '../career/jobs/career-recommend.job.js';
import { careerRefreshPathsJob } from '../career/jobs/career-refresh-paths.job.js';
import { githubSyncAllJob } from '../sync/jobs/github-sync-all.job.js';
import { githubSyncDeveloperJob } from '../sync/jobs/github-sync-developer.job.js';
import { githubSyncRepoJob } from '../sync/jobs/github-sync-repo.job.js';
import { githubSyncTeamsJob } from '../sync/jobs/github-sync-teams.job.js';
import { systemNoopJob } from '../system/jobs/system-noop.job.js';

/** The no-op, for tests and the bench that run a pool of it alone. */
export { systemNoopJob };

/** Every job the workers run, in the order of the contracts registry. */
export const JOBS: readonly AnyJobHandler[] = [
  systemNoopJob,
  githubSyncAllJob,
  githubSyncRepoJob,
  githubSyncDeveloperJob,
  githubSyncTeamsJob,
  developerRefreshActivityJob,
  developerRefreshProfileJob,
  developerFollowUpJob,
  insightGenerateJob,
  insightRefreshJob,
  reportDeliverJob,
  reportReconcileJob,
  exportProcessJob,
  exportCleanupJob,
  slackInsightAlertJob,
  slackNotifyJob,
  slackMapUsersJob,
  retentionPruneJob,
  careerRecommendJob,
  careerRefreshPathsJob,
  slackFanOutJob,
];
