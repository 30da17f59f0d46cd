export * from './developer.js';
export * from './team.js';
export * from './commit.js';
export * from './pull-request.js';
export * from './code-review.js';
export * from './career-role.js';
export * from './learning-path.js';
export * from './learning-milestone.js';
export * from './custom-report.js';
export * from './scheduled-report.js';
export * from './export-job.js';
export * from './predictive-insight.js';
export * from './slack-integration.js';
export * from './slack-notification-log.js';
export * from './tracked-repository.js';
export * from './github-sync-cursor.js';
export * from './github-http-cache.js';
export * from './github-pull-repository.js';
export * from './git-history.js';
export * from './people.js';
export * from './report-delivery.js';
export * from './slack-notification-key.js';

import { Developer } from './developer.js';
import { Team } from './team.js';
import { Commit } from './commit.js';
import { PullRequest } from './pull-request.js';
import { CodeReview } from './code-review.js';
import { CareerRole } from './career-role.js';
import { LearningPath } from './learning-path.js';
import { LearningMilestone } from './learning-milestone.js';
import { CustomReport } from './custom-report.js';
import { ScheduledReport } from './scheduled-report.js';
import { ExportJob } from './export-job.js';
import { PredictiveInsight } from './predictive-insight.js';
import { SlackIntegration } from './slack-integration.js';
import { SlackNotificationLog } from './slack-notification-log.js';
import { TrackedRepository } from './tracked-repository.js';
import { GithubSyncCursor } from './github-sync-cursor.js';
import { GithubHttpCache } from './github-http-cache.js';
import { GithubPullRepository } from './github-pull-repository.js';
import { CommitCoauthor, CommitGraph, GithubCommitHead } from './git-history.js';
import { DeveloperBot, DeveloperDirty, DeveloperIdentity, GithubUserSync } from './people.js';
import { ReportDelivery } from './report-delivery.js';
import { SlackNotificationKey } from './slack-notification-key.js';
import { GithubOrganizationLink } from './github-organization-link.js';
import { GithubAppInstallation } from './github-app-installation.js';
import { LlmUsage } from './llm-usage.js';
import { PrunedTotal } from './pruned-total.js';
import { GitFallbackTotal } from './git-fallback-total.js';
import { PredictiveInsightOrganization } from './predictive-insight-organization.js';
import { CommitRevert, Deployment, DeploymentCommit, DeploymentSetting, DeploymentShipment, Incident } from './delivery.js';
import { PullRequestComment, PullRequestCommit, PullRequestLifecycle } from './pull-lifecycle.js';
import { OrganizationPolicy, WorkingAgreement } from './working-agreement.js';
import { Issue, IssueCategoryMapping, IssueIncidentMatch, IssueReference, IssueTransition, JiraProjectRepository, JiraSite } from './issue.js';

/** Every entity of the schema contract, in dependency order, then the sync's own tables. */
export const ALL_ENTITIES = [
  Developer,
  Team,
  Commit,
  PullRequest,
  CodeReview,
  CareerRole,
  LearningPath,
  LearningMilestone,
  CustomReport,
  ScheduledReport,
  ExportJob,
  PredictiveInsight,
  SlackIntegration,
  SlackNotificationLog,
  TrackedRepository,
  GithubSyncCursor,
  GithubHttpCache,
  GithubPullRepository,
  GithubCommitHead,
  CommitGraph,
  CommitCoauthor,
  DeveloperIdentity,
  DeveloperBot,
  DeveloperDirty,
  GithubUserSync,
  ReportDelivery,
  SlackNotificationKey,
  GithubOrganizationLink,
  GithubAppInstallation,
  LlmUsage,
  PrunedTotal,
  GitFallbackTotal,
  PredictiveInsightOrganization,
  Deployment,
  DeploymentSetting,
  DeploymentShipment,
  DeploymentCommit,
  CommitRevert,
  Incident,
  PullRequestLifecycle,
  PullRequestCommit,
  PullRequestComment,
  Issue,
  IssueTransition,
  IssueReference,
  IssueCategoryMapping,
  JiraSite,
  JiraProjectRepository,
  IssueIncidentMatch,
  WorkingAgreement,
  OrganizationPolicy,
];
