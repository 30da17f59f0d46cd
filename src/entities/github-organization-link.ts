import { defineEntity, p, type InferEntity } from '@mikro-orm/core';

/** The Aexy organization a GitHub account belongs to (login lower-case): how webhooks find it. */
export const GithubOrganizationLink = defineEntity({
  name: 'GithubOrganizationLink',
  tableName: 'github_organization_links',
  checks: [{ name: 'github_organization_links_github_login_check', expression: 'github_login = lower(github_login)' }],
  properties: {
    githubLogin: p.string().length(255).primary(),
    organizationId: p.uuid(),
    linkedAt: p
      .datetime()
      .columnType('timestamptz')
      .defaultRaw('now()')
      .onCreate(() => new Date()),
  },
});
export type IGithubOrganizationLink = InferEntity<typeof GithubOrganizationLink>;
