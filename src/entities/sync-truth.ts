import { defineEntity, p, type InferEntity } from '@mikro-orm/core';

/**
 * The sync's own tables beside the contract (migration SyncTruth). The sync writes them with
 * set-based SQL; the entities describe them so the ORM's schema stays in step with the migrations.
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
    updatedAt: p
      .datetime()
      .columnType('timestamptz')
      .defaultRaw('now()')
      .onCreate(() => new Date())
      .onUpdate(() => new Date()),
  },
});
export type IGithubCommitHead = InferEntity<typeof GithubCommitHead>;

/** A commit's parents (two or more: a merge) and its git author and committer. */
export const CommitGraph = defineEntity({
  name: 'CommitGraph',
  tableName: 'commit_graph',
  indexes: [{ name: 'idx_commit_graph_author_email', properties: ['authorEmail'] }],
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

/** email → developer, with where it was learnt (github, noreply, profile) and a confidence 0-100. */
export const DeveloperIdentity = defineEntity({
  name: 'DeveloperIdentity',
  tableName: 'developer_identities',
  indexes: [{ name: 'idx_developer_identities_developer_id', properties: ['developerId'] }],
  properties: {
    email: p.string().length(320).primary(),
    developerId: p.uuid().primary(),
    source: p.string().length(20),
    confidence: p.smallint(),
    createdAt: p
      .datetime()
      .columnType('timestamptz')
      .defaultRaw('now()')
      .onCreate(() => new Date()),
  },
});
export type IDeveloperIdentity = InferEntity<typeof DeveloperIdentity>;

/** A developer account that is not a person. */
export const DeveloperBot = defineEntity({
  name: 'DeveloperBot',
  tableName: 'developer_bots',
  properties: {
    developerId: p.uuid().primary(),
    reason: p.string().length(20),
    createdAt: p
      .datetime()
      .columnType('timestamptz')
      .defaultRaw('now()')
      .onCreate(() => new Date()),
  },
});
export type IDeveloperBot = InferEntity<typeof DeveloperBot>;

/** A developer whose profile must be recomputed; the token changes on every new mark. */
export const DeveloperDirty = defineEntity({
  name: 'DeveloperDirty',
  tableName: 'developer_dirty',
  properties: {
    developerId: p.uuid().primary(),
    token: p.uuid(),
    markedAt: p
      .datetime()
      .columnType('timestamptz')
      .defaultRaw('now()')
      .onCreate(() => new Date()),
  },
});
export type IDeveloperDirty = InferEntity<typeof DeveloperDirty>;

/** A developer fetched from GET /users/{login}: done, or missing there. */
export const GithubUserSync = defineEntity({
  name: 'GithubUserSync',
  tableName: 'github_user_syncs',
  properties: {
    developerId: p.uuid().primary(),
    status: p.string().length(10),
    syncedAt: p
      .datetime()
      .columnType('timestamptz')
      .defaultRaw('now()')
      .onCreate(() => new Date()),
  },
});
export type IGithubUserSync = InferEntity<typeof GithubUserSync>;
