/**
 * The job catalogue, the one list of jobs: every job's contract, what producers (the CLI, webhooks,
 * schedulers, the demo, other jobs) import to enqueue work. A contract names its handler by a lazy
 * import (`handler: () => import('./x.job.js')`) and declares its schedules, so the worker
 * (src/workers/handlers.ts) and the job schedulers (src/jobs/schedulers.ts) are derived from this
 * list. A new job is its two files plus one line here.
 */
import type { z } from 'zod';
import { exportCleanup } from '../exports/jobs/export-cleanup.contract.js';
import { exportProcess } from '../exports/jobs/export-process.contract.js';
import { insightGenerate } from '../insights/jobs/insight-generate.contract.js';
import { insightRefresh } from '../insights/jobs/insight-refresh.contract.js';
import { developerFollowUp } from '../developers/jobs/developer-follow-up.contract.js';
import { developerRefreshActivity } from '../developers/jobs/developer-refresh-activity.contract.js';
import { developerRefreshProfile } from '../developers/jobs/developer-refresh-profile.contract.js';
import { reportDeliver } from '../reports/jobs/report-deliver.contract.js';
import { reportReconcile } from '../reports/jobs/report-reconcile.contract.js';
import { slackFanOut } from '../slack/jobs/slack-fan-out.contract.js';
import { slackInsightAlert } from '../slack/jobs/slack-insight-alert.contract.js';
import { slackNotify } from '../slack/jobs/slack-notify.contract.js';
import { slackMapUsers } from '../slack/jobs/slack-map-users.contract.js';
import { retentionPrune } from '../retention/jobs/retention-prune.contract.js';
import { careerRecommend } from '../career/jobs/career-recommend.contract.js';
import { careerRefreshPaths } from '../career/jobs/career-refresh-paths.contract.js';
import { githubSyncAll } from '../github/jobs/github-sync-all.contract.js';
import { githubSyncDeveloper } from '../github/jobs/github-sync-developer.contract.js';
import { githubSyncRepo } from '../github/jobs/github-sync-repo.contract.js';
import { githubSyncTeams } from '../github/jobs/github-sync-teams.contract.js';
import { systemNoop } from '../system/jobs/system-noop.contract.js';
import { jiraSync } from '../jira/jobs/jira-sync.contract.js';
import { agreementEvaluate } from '../agreements/jobs/agreement-evaluate.contract.js';
import type { AnyJobContract } from './contract.js';

export {
  exportCleanup,
  exportProcess,
  insightGenerate,
  insightRefresh,
  developerFollowUp,
  developerRefreshActivity,
  developerRefreshProfile,
  reportDeliver,
  reportReconcile,
  slackFanOut,
  slackInsightAlert,
  slackNotify,
  slackMapUsers,
  retentionPrune,
  careerRecommend,
  careerRefreshPaths,
  githubSyncAll,
  githubSyncDeveloper,
  githubSyncRepo,
  githubSyncTeams,
  jiraSync,
  agreementEvaluate,
  systemNoop,
};

/** Every contract, in the order `aexy jobs` lists them. */
export const CONTRACTS = [
  systemNoop,
  githubSyncAll,
  githubSyncRepo,
  githubSyncDeveloper,
  githubSyncTeams,
  jiraSync,
  developerRefreshActivity,
  developerRefreshProfile,
  developerFollowUp,
  insightGenerate,
  insightRefresh,
  careerRecommend,
  careerRefreshPaths,
  reportDeliver,
  reportReconcile,
  exportProcess,
  exportCleanup,
  slackInsightAlert,
  slackNotify,
  slackMapUsers,
  slackFanOut,
  agreementEvaluate,
  retentionPrune,
] as const;

/** The registry of job names and their payloads (graphile-worker's `Tasks`): enqueue by name, typed. */
export type JobName = (typeof CONTRACTS)[number]['name'];
export type ContractOf<N extends JobName> = Extract<(typeof CONTRACTS)[number], { name: N }>;
export type JobPayload<N extends JobName> = z.input<ContractOf<N>['schema']>;

/** The contract of a job name (former names included), or an error listing the known ones. */
export function contractByName(name: string, contracts: readonly AnyJobContract[] = CONTRACTS): AnyJobContract {
  const found = contracts.find((c) => c.name === name || c.formerNames?.includes(name));
  if (!found) throw new Error(`Unknown job "${name}". Known jobs: ${contracts.map((c) => c.name).join(', ')}`);
  return found;
}
