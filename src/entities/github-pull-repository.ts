import { defineEntity, p, type InferEntity } from '@mikro-orm/core';

/**
 * Which repository ("owner/name") a pull request belongs to. The contract's pull_requests has only
 * the short repository_name, so acme/api and other/api would look alike; the sync needs the full
 * name to re-check exactly its own open pull requests.
 */
export const GithubPullRepository = defineEntity({
  name: 'GithubPullRepository',
  tableName: 'github_pull_repositories',
  indexes: [{ name: 'idx_github_pull_repositories_repository', properties: ['repositoryFullName'] }],
  properties: {
    githubId: p.bigint('number').primary().autoincrement(false),
    repositoryFullName: p.string().length(255),
  },
});
export type IGithubPullRepository = InferEntity<typeof GithubPullRepository>;
