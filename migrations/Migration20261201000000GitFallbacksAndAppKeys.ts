import { Migration } from '@mikro-orm/migrations';

/**
 * - git_fallback_totals: how often a repository's commits were read from the API because git could
 *   not be used (git missing, the remote refusing), per reason; /metrics shows them as counters.
 * - github_app_installations is keyed by App and account: an installation of another App on the same
 *   account is another row, never a replacement of ours.
 */
export class Migration20261201000000GitFallbacksAndAppKeys extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
CREATE TABLE git_fallback_totals (
    reason VARCHAR(50) PRIMARY KEY,
    fallbacks BIGINT NOT NULL DEFAULT 0,
    last_at TIMESTAMP WITH TIME ZONE
);
ALTER TABLE github_app_installations DROP CONSTRAINT github_app_installations_pkey;
ALTER TABLE github_app_installations ADD PRIMARY KEY (app_id, account_login);
`);
  }

  override async down(): Promise<void> {
    this.addSql(`
DROP TABLE IF EXISTS git_fallback_totals;
ALTER TABLE github_app_installations DROP CONSTRAINT github_app_installations_pkey;
ALTER TABLE github_app_installations ADD PRIMARY KEY (account_login);
`);
  }
}
