import { Migration } from '@mikro-orm/migrations';

/**
 * github_app_installations: the installation of the configured GitHub App on each GitHub account
 * (organization or user, login lower-case), found through `GET /orgs/{org}/installation` the first
 * time a sync needs it. Each installation has its own tokens and its own rate budget; a row whose
 * installation GitHub no longer has is deleted and found again.
 */
export class Migration20261127000000GithubAppInstallations extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
CREATE TABLE github_app_installations (
    account_login VARCHAR(255) PRIMARY KEY CHECK (account_login = lower(account_login)),
    app_id BIGINT NOT NULL,
    installation_id BIGINT NOT NULL,
    discovered_at TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT NOW()
);
`);
  }

  override async down(): Promise<void> {
    this.addSql('DROP TABLE IF EXISTS github_app_installations;');
  }
}
