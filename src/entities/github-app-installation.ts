import { defineEntity, p, type InferEntity } from '@mikro-orm/core';

/** A GitHub App's installation on a GitHub account (login lower-case); keyed by App and account. */
export const GithubAppInstallation = defineEntity({
  name: 'GithubAppInstallation',
  tableName: 'github_app_installations',
  checks: [{ name: 'github_app_installations_account_login_check', expression: 'account_login = lower(account_login)' }],
  properties: {
    appId: p.bigint('number').primary(),
    accountLogin: p.string().length(255).primary(),
    installationId: p.bigint('number'),
    discoveredAt: p
      .datetime()
      .columnType('timestamptz')
      .defaultRaw('now()')
      .onCreate(() => new Date()),
  },
});
export type IGithubAppInstallation = InferEntity<typeof GithubAppInstallation>;
