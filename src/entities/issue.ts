import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import { createdAtColumn, updatedAtColumn } from './timestamps.js';

/** The schema diagram's Issue: an issue of GitHub or Jira, belonging to a developer (migration Issues). */
export const Issue = defineEntity({
  name: 'Issue',
  tableName: 'issues',
  uniques: [{ name: 'issues_source_external_id_key', properties: ['source', 'externalId'] }],
  indexes: [
    { name: 'idx_issues_repository_created', properties: ['repositoryFullName', 'createdAt'] },
    { name: 'idx_issues_developer_id', properties: ['developerId'] },
    { name: 'idx_issues_organization', expression: 'create index idx_issues_organization on issues(organization_id) where organization_id is not null' },
  ],
  properties: {
    id: p.uuid().primary().defaultRaw('gen_random_uuid()'),
    /** github | jira */
    source: p.string().length(20),
    externalId: p.string().length(64),
    /** GitHub: its number; Jira: its key (ABC-123) */
    issueKey: p.string().length(64),
    repositoryFullName: p.string().length(255).nullable(),
    projectKey: p.string().length(255).nullable(),
    developerId: p.uuid().nullable(),
    assigneeIds: p.array().columnType('uuid[]').defaultRaw(`'{}'`).nullable(),
    title: p.text().nullable(),
    /** open | closed (GitHub); Jira: its status category (new, indeterminate, done) */
    state: p.string().length(20),
    stateReason: p.string().length(30).nullable(),
    issueType: p.string().length(100).nullable(),
    labels: p.json<string[]>().columnType('jsonb').defaultRaw(`'[]'`).nullable(),
    priority: p.string().length(50).nullable(),
    storyPoints: p.decimal().columnType('numeric').nullable(),
    createdAt: p.datetime().columnType('timestamptz'),
    startedAt: p.datetime().columnType('timestamptz').nullable(),
    resolvedAt: p.datetime().columnType('timestamptz').nullable(),
    closedAt: p.datetime().columnType('timestamptz').nullable(),
    updatedAt: p.datetime().columnType('timestamptz'),
    /** a Jira issue's organization (a GitHub issue's is its repository's) */
    organizationId: p.uuid().nullable(),
    syncedAt: p
      .datetime()
      .columnType('timestamptz')
      .defaultRaw('now()')
      .nullable()
      .onCreate(() => new Date()),
  },
});
export type IIssue = InferEntity<typeof Issue>;

/** A move of an issue's status (GitHub: closed, reopened; Jira: a changelog transition). */
export const IssueTransition = defineEntity({
  name: 'IssueTransition',
  tableName: 'issue_transitions',
  properties: {
    issueId: p.uuid().primary(),
    at: p.datetime().columnType('timestamptz').primary(),
    toStatus: p.string().length(100).primary(),
    fromStatus: p.string().length(100).nullable(),
    /** new | indeterminate | done (Jira's status categories; GitHub: reopened is new, closed is done) */
    statusCategory: p.string().length(20),
  },
});
export type IIssueTransition = InferEntity<typeof IssueTransition>;

/** A reference a pull request (title, branch, body) or a commit (message) makes to an issue (migration IssueLinks). */
export const IssueReference = defineEntity({
  name: 'IssueReference',
  tableName: 'issue_references',
  indexes: [
    {
      name: 'idx_issue_references_github',
      expression: 'create index idx_issue_references_github on issue_references(lower(ref_repository), ref_number) where ref_repository is not null',
    },
    { name: 'idx_issue_references_jira', expression: 'create index idx_issue_references_jira on issue_references(jira_key) where jira_key is not null' },
  ],
  properties: {
    /** pull | commit */
    sourceKind: p.string().length(10).primary(),
    /** a pull request's GitHub id, or a commit's sha */
    sourceId: p.string().length(64).primary(),
    /** `owner/name#n` or a Jira key */
    target: p.string().length(300).primary(),
    refRepository: p.string().length(255).nullable(),
    refNumber: p.integer().nullable(),
    jiraKey: p.string().length(64).nullable(),
    closing: p.boolean(),
    /** link (by hand on GitHub) | title | branch | body | message */
    foundIn: p.string().length(10),
  },
});
export type IIssueReference = InferEntity<typeof IssueReference>;

/** An organization's mapping of an issue type or label (lower case) to an investment category. */
export const IssueCategoryMapping = defineEntity({
  name: 'IssueCategoryMapping',
  tableName: 'issue_category_mappings',
  properties: {
    organizationId: p.uuid().primary(),
    match: p.string().length(100).primary(),
    /** feature | bug | tech debt | operations | other */
    category: p.string().length(20),
  },
});
export type IIssueCategoryMapping = InferEntity<typeof IssueCategoryMapping>;

/** A Jira Cloud site of an organization: where its issues are read, with the account's API token encrypted. */
export const JiraSite = defineEntity({
  name: 'JiraSite',
  tableName: 'jira_sites',
  properties: {
    organizationId: p.uuid().primary(),
    baseUrl: p.string().length(255),
    email: p.string().length(320),
    /** encrypted (ENCRYPTION_KEYS), never serialised */
    apiToken: p.text().hidden().lazy(),
    storyPointsField: p.string().length(100).nullable(),
    jql: p.text().nullable(),
    cursorAt: p.datetime().columnType('timestamptz').nullable(),
    /** when the stored issues were last checked against the site (deletions) */
    reconciledAt: p.datetime().columnType('timestamptz').nullable(),
    lastError: p.text().nullable(),
    createdAt: createdAtColumn(),
    updatedAt: updatedAtColumn(),
  },
});
export type IJiraSite = InferEntity<typeof JiraSite>;

/** A term (an issue type or label, lower case) that makes an organization's issue an incident; none stored: `incident`. */
export const IssueIncidentMatch = defineEntity({
  name: 'IssueIncidentMatch',
  tableName: 'issue_incident_matches',
  properties: {
    organizationId: p.uuid().primary(),
    match: p.string().length(100).primary(),
  },
});
export type IIssueIncidentMatch = InferEntity<typeof IssueIncidentMatch>;

/** The repository a Jira project's incidents are attributed to (one of the organization's own). */
export const JiraProjectRepository = defineEntity({
  name: 'JiraProjectRepository',
  tableName: 'jira_project_repositories',
  properties: {
    organizationId: p.uuid().primary(),
    projectKey: p.string().length(255).primary(),
    repositoryFullName: p.string().length(255),
    createdAt: createdAtColumn(),
  },
});
export type IJiraProjectRepository = InferEntity<typeof JiraProjectRepository>;
