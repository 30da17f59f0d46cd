import { defineEntity, p, type InferEntity } from '@mikro-orm/core';

/**
 * Who a developer is beyond the contract's developers table (migration SyncTruth): the emails that
 * are theirs, whether the account is a bot, the mark that their profile must be recomputed, and
 * whether their GitHub user was fetched. Written with set-based SQL by src/people.
 */

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
