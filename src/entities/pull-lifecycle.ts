import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import { updatedAtColumn } from './timestamps.js';

/**
 * A pull request's lifecycle beside the contract's pull_requests (migration PullLifecycle): written
 * by the sync with set-based SQL; the entities keep the ORM's schema in step with the migrations.
 */
export const PullRequestLifecycle = defineEntity({
  name: 'PullRequestLifecycle',
  tableName: 'pull_request_lifecycles',
  properties: {
    githubId: p.bigint('number').primary().autoincrement(false),
    repositoryFullName: p.string().length(255),
    isDraft: p.boolean(),
    /** when it became ready for review: its creation when it never was a draft; null while a draft */
    readyAt: p.datetime().columnType('timestamptz').nullable(),
    reopenedAt: p.datetime().columnType('timestamptz').nullable(),
    mergeCommitSha: p.string().length(40).nullable(),
    mergedByGithubId: p.bigint('number').nullable(),
    lastCommitSha: p.string().length(40).nullable(),
    /** its branch */
    headRef: p.string().length(255).nullable(),
    updatedAt: updatedAtColumn(),
  },
});
export type IPullRequestLifecycle = InferEntity<typeof PullRequestLifecycle>;

/** One commit of a pull request, with its author and committer dates. */
export const PullRequestCommit = defineEntity({
  name: 'PullRequestCommit',
  tableName: 'pull_request_commits',
  properties: {
    pullGithubId: p.bigint('number').primary(),
    sha: p.string().length(40).primary(),
    authoredAt: p.datetime().columnType('timestamptz'),
    committedAt: p.datetime().columnType('timestamptz'),
  },
});
export type IPullRequestCommit = InferEntity<typeof PullRequestCommit>;

/** A conversation comment on a pull request: who, when. */
export const PullRequestComment = defineEntity({
  name: 'PullRequestComment',
  tableName: 'pull_request_comments',
  properties: {
    pullGithubId: p.bigint('number').primary(),
    authorGithubId: p.bigint('number').primary(),
    createdAt: p.datetime().columnType('timestamptz').primary(),
  },
});
export type IPullRequestComment = InferEntity<typeof PullRequestComment>;
