import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import { createdAtColumn, updatedAtColumn } from './timestamps.js';

/** Where a repository's deployments are read from. */
export const DEPLOYMENT_SOURCES = ['deployments-api', 'workflow-runs', 'tags', 'merges'] as const;
export type DeploymentSource = (typeof DEPLOYMENT_SOURCES)[number];

/**
 * A deployment of a repository as its source records it, unique by (repository, source, the
 * source's id): the environment, the sha, its latest status, when it first succeeded and when it
 * reached a final state.
 */
export const Deployment = defineEntity({
  name: 'Deployment',
  tableName: 'deployments',
  uniques: [{ name: 'deployments_source_external_id_key', properties: ['repositoryFullName', 'source', 'externalId'] }],
  indexes: [
    {
      name: 'idx_deployments_production',
      expression: 'create index idx_deployments_production on deployments(repository_full_name, created_at) where is_production',
    },
  ],
  properties: {
    id: p.uuid().primary().defaultRaw('gen_random_uuid()'),
    repositoryFullName: p.string().length(255),
    source: p.string().length(20).$type<DeploymentSource>(),
    externalId: p.bigint('number'),
    environment: p.string().length(255),
    isProduction: p.boolean(),
    sha: p.string().length(40),
    ref: p.string().length(255).nullable(),
    /** the latest status: success, failure, error, inactive, in_progress, queued, pending */
    status: p.string().length(20),
    createdAt: p.datetime().columnType('timestamptz'),
    succeededAt: p.datetime().columnType('timestamptz').nullable(),
    finishedAt: p.datetime().columnType('timestamptz').nullable(),
    /** when it first failed (a failure or error status; a run concluding failure, timed_out, startup_failure) */
    failedAt: p.datetime().columnType('timestamptz').nullable(),
    updatedAt: updatedAtColumn(),
  },
});
export type IDeployment = InferEntity<typeof Deployment>;

/** Where a repository's deployments are read from: set (source) or chosen by the sync (chosen_source). */
export const DeploymentSetting = defineEntity({
  name: 'DeploymentSetting',
  tableName: 'deployment_settings',
  properties: {
    repositoryFullName: p.string().length(255).primary(),
    source: p.string().length(20).$type<DeploymentSource>().nullable(),
    /** the source's pattern: workflow-runs, over the workflows' names and files (default `deploy`, case-insensitive); tags, over the tag names (default `^v?\d+\.\d+`) */
    workflowPattern: p.string().length(255).nullable(),
    chosenSource: p.string().length(20).nullable(),
    updatedAt: updatedAtColumn(),
  },
});
export type IDeploymentSetting = InferEntity<typeof DeploymentSetting>;

/** What a successful production deployment shipped: the commits git says it added to what was live. */
export const DeploymentShipment = defineEntity({
  name: 'DeploymentShipment',
  tableName: 'deployment_shipments',
  properties: {
    deploymentId: p.uuid().primary(),
    /** the sha of the previous successful production deployment (null: the first) */
    previousSha: p.string().length(40).nullable(),
    commits: p.integer(),
    /** false: the deployed sha is not in the repository (force-pushed away, another fork): nothing known shipped */
    shaKnown: p.boolean(),
    computedAt: createdAtColumn(),
  },
});
export type IDeploymentShipment = InferEntity<typeof DeploymentShipment>;

/** One commit a deployment shipped. */
export const DeploymentCommit = defineEntity({
  name: 'DeploymentCommit',
  tableName: 'deployment_commits',
  indexes: [{ name: 'idx_deployment_commits_sha', properties: ['sha'] }],
  properties: {
    deploymentId: p.uuid().primary(),
    sha: p.string().length(40).primary(),
  },
});
export type IDeploymentCommit = InferEntity<typeof DeploymentCommit>;

/** A commit that reverts another, by git's line `This reverts commit <sha>` in its message. */
export const CommitRevert = defineEntity({
  name: 'CommitRevert',
  tableName: 'commit_reverts',
  indexes: [{ name: 'idx_commit_reverts_reverted_sha', properties: ['revertedSha'] }],
  properties: {
    sha: p.string().length(40).primary(),
    revertedSha: p.string().length(40).primary(),
  },
});
export type ICommitRevert = InferEntity<typeof CommitRevert>;

/** An incident reported from outside (the signed incident webhook), one per (source, its id). */
export const Incident = defineEntity({
  name: 'Incident',
  tableName: 'incidents',
  uniques: [{ name: 'incidents_source_external_id_key', properties: ['source', 'externalId'] }],
  indexes: [{ name: 'idx_incidents_repository_opened', properties: ['repositoryFullName', 'openedAt'] }],
  properties: {
    id: p.uuid().primary().defaultRaw('gen_random_uuid()'),
    source: p.string().length(20),
    externalId: p.string().length(255),
    repositoryFullName: p.string().length(255),
    title: p.text().nullable(),
    openedAt: p.datetime().columnType('timestamptz'),
    resolvedAt: p.datetime().columnType('timestamptz').nullable(),
    /** the commit it is about, when the sender knows it */
    sha: p.string().length(40).nullable(),
    /** the deployment it is about, by its source's id, when the sender knows it */
    deploymentExternalId: p.bigint('number').nullable(),
    createdAt: createdAtColumn(),
    updatedAt: updatedAtColumn(),
  },
});
export type IIncident = InferEntity<typeof Incident>;
