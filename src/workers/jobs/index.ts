import type { AnyJobDefinition } from '../../queues/job-definition.js';
import { systemNoop } from './system-noop.js';
import { developerRefreshActivity } from './developer-refresh-activity.js';
import { developerRefreshProfile } from './developer-refresh-profile.js';
import { developersFollowUp } from './developers-follow-up.js';
import { githubSyncRepo } from './github-sync-repo.js';
import { githubSyncAll } from './github-sync-all.js';
import { githubSyncDeveloper } from './github-sync-developer.js';
import { githubSyncTeams } from './github-sync-teams.js';
import { exportProcess } from './export-process.js';
import { exportCleanup } from './export-cleanup.js';
import { reportDeliver } from './report-deliver.js';
import { reportsReconcile } from './reports-reconcile.js';
import { insightGenerate } from './insight-generate.js';
import { insightsRefresh } from './insights-refresh.js';
import { slackInsightAlert } from './slack-insight-alert.js';
import { slackFanOut, slackNotify } from './slack-notify.js';

export { systemNoop, developerRefreshActivity, developerRefreshProfile, developersFollowUp, githubSyncRepo, githubSyncAll, githubSyncDeveloper, githubSyncTeams, exportProcess, exportCleanup, reportDeliver, reportsReconcile, insightGenerate, insightsRefresh, slackInsightAlert, slackNotify, slackFanOut };

/** Every job the workers know, by name. */
export const JOBS: readonly AnyJobDefinition[] = [
  systemNoop,
  developerRefreshActivity,
  developerRefreshProfile,
  developersFollowUp,
  githubSyncRepo,
  githubSyncAll,
  githubSyncDeveloper,
  githubSyncTeams,
  exportProcess,
  exportCleanup,
  reportDeliver,
  reportsReconcile,
  insightGenerate,
  insightsRefresh,
  slackInsightAlert,
  slackNotify,
  slackFanOut,
];

export function jobByName(name: string, jobs: readonly AnyJobDefinition[] = JOBS): AnyJobDefinition {
  const def = jobs.find((j) => j.name === name);
  if (!def) throw new Error(`Unknown job "${name}". Known jobs: ${jobs.map((j) => j.name).join(', ')}`);
  return def;
}
