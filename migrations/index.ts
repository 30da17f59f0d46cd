import type { MigrationObject } from '@mikro-orm/core';
import { Migration20261125000000Initial } from './Migration20261125000000Initial.js';
import { Migration20261125010000GithubSync } from './Migration20261125010000GithubSync.js';
import { Migration20261125020000HttpCacheText } from './Migration20261125020000HttpCacheText.js';
import { Migration20261125030000PullRepositories } from './Migration20261125030000PullRepositories.js';
import { Migration20261125040000SyncTruth } from './Migration20261125040000SyncTruth.js';
import { Migration20261125050000ReportDeliveries } from './Migration20261125050000ReportDeliveries.js';
import { Migration20261125060000SlackNotificationKeys } from './Migration20261125060000SlackNotificationKeys.js';
import { Migration20261126000000GithubOrganizationLinks } from './Migration20261126000000GithubOrganizationLinks.js';
import { Migration20261127000000GithubAppInstallations } from './Migration20261127000000GithubAppInstallations.js';
import { Migration20261126010000LlmUsageAndPruning } from './Migration20261126010000LlmUsageAndPruning.js';
import { Migration20261201000000TruthAndTenancy } from './Migration20261201000000TruthAndTenancy.js';
import { Migration20261207000000Deployments } from './Migration20261207000000Deployments.js';
import { Migration20261207010000Incidents } from './Migration20261207010000Incidents.js';
import { Migration20261207020000PullLifecycle } from './Migration20261207020000PullLifecycle.js';
import { Migration20261207030000Issues } from './Migration20261207030000Issues.js';
import { Migration20261207040000IssueLinks } from './Migration20261207040000IssueLinks.js';
import { Migration20261207050000Jira } from './Migration20261207050000Jira.js';
import { Migration20261207060000IssueIncidents } from './Migration20261207060000IssueIncidents.js';
import { Migration20261208000000WorkingAgreements } from './Migration20261208000000WorkingAgreements.js';
import { Migration20261208010000OrganizationPolicies } from './Migration20261208010000OrganizationPolicies.js';
import { Migration20261209000000MergeIndex } from './Migration20261209000000MergeIndex.js';

/** Every migration, in order. New migrations are appended here. */
export const migrationsList: MigrationObject[] = [
  { name: 'Migration20261125000000Initial', class: Migration20261125000000Initial },
  { name: 'Migration20261125010000GithubSync', class: Migration20261125010000GithubSync },
  { name: 'Migration20261125020000HttpCacheText', class: Migration20261125020000HttpCacheText },
  { name: 'Migration20261125030000PullRepositories', class: Migration20261125030000PullRepositories },
  { name: 'Migration20261125040000SyncTruth', class: Migration20261125040000SyncTruth },
  { name: 'Migration20261125050000ReportDeliveries', class: Migration20261125050000ReportDeliveries },
  { name: 'Migration20261125060000SlackNotificationKeys', class: Migration20261125060000SlackNotificationKeys },
  { name: 'Migration20261126000000GithubOrganizationLinks', class: Migration20261126000000GithubOrganizationLinks },
  { name: 'Migration20261126010000LlmUsageAndPruning', class: Migration20261126010000LlmUsageAndPruning },
  { name: 'Migration20261127000000GithubAppInstallations', class: Migration20261127000000GithubAppInstallations },
  { name: 'Migration20261201000000TruthAndTenancy', class: Migration20261201000000TruthAndTenancy },
  { name: 'Migration20261207000000Deployments', class: Migration20261207000000Deployments },
  { name: 'Migration20261207010000Incidents', class: Migration20261207010000Incidents },
  { name: 'Migration20261207020000PullLifecycle', class: Migration20261207020000PullLifecycle },
  { name: 'Migration20261207030000Issues', class: Migration20261207030000Issues },
  { name: 'Migration20261207040000IssueLinks', class: Migration20261207040000IssueLinks },
  { name: 'Migration20261207050000Jira', class: Migration20261207050000Jira },
  { name: 'Migration20261207060000IssueIncidents', class: Migration20261207060000IssueIncidents },
  { name: 'Migration20261208000000WorkingAgreements', class: Migration20261208000000WorkingAgreements },
  { name: 'Migration20261208010000OrganizationPolicies', class: Migration20261208010000OrganizationPolicies },
  { name: 'Migration20261209000000MergeIndex', class: Migration20261209000000MergeIndex },
];
