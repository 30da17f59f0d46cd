import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import { updatedAtColumn } from './timestamps.js';

/**
 * What git holds beyond the contract's commits table (migration SyncTruth): the branch head whose
 * history is stored, each commit's parents and git identities, and its co-authors. The sync writes
 * them with set-based SQL; the entities keep the ORM's schema in step with the migrations.
 */

/** Per repository: the default-branch head whose history is stored, and the head being synced to. */
export const GithubCommitHead = defineEntity({
  name: 'GithubCommitHead',
  tableName: 'github_commit_heads',
  properties: {
    repositoryFullName: p.string().length(255).primary(),
    branch: p.string().length(255),
    headSha: p.string().length(40).nullable(),
    targetSha: p.string().length(40).nullable(),
    updatedAt: updatedAtColumn(),
  },
});
export type IGithubCommitHead = InferEntity<typeof GithubCommitHead>;

/** A commit's parents (two or more: a merge) and its git author and committer. */
export const CommitGraph = defineEntity({
  name: 'CommitGraph',
  tableName: 'commit_graph',
  indexes: [
    { name: 'idx_commit_graph_author_email', properties: ['authorEmail'] },
    { name: 'idx_commit_graph_merges', expression: 'create index idx_commit_graph_merges on commit_graph(sha) where is_merge' },
  ],
  properties: {
    sha: p.string().length(40).primary(),
    parentShas: p.array().columnType('text[]'),
    isMerge: p.boolean(),
    authorName: p.text().nullable(),
    authorEmail: p.string().length(320).nullable(),
    committerEmail: p.string().length(320).nullable(),
    committerDate: p.datetime().columnType('timestamptz').nullable(),
  },
});
export type ICommitGraph = InferEntity<typeof CommitGraph>;

/** A `Co-authored-by:` trailer of a commit, with the developer its email resolves to. */
export const CommitCoauthor = defineEntity({
  name: 'CommitCoauthor',
  tableName: 'commit_coauthors',
  indexes: [
    { name: 'idx_commit_coauthors_developer_id', properties: ['developerId'] },
    { name: 'idx_commit_coauthors_email', properties: ['email'] },
  ],
  properties: {
    sha: p.string().length(40).primary(),
    email: p.string().length(320).primary(),
    name: p.text().nullable(),
    developerId: p.uuid().nullable(),
  },
});
export type ICommitCoauthor = InferEntity<typeof CommitCoauthor>;
