import { Migration } from '@mikro-orm/migrations';

/**
 * - git_fallback_totals: how often a repository's commits were read from the API because git could
 *   not be used (git missing, the remote refusing), per reason; /metrics shows them as counters.
 * - github_app_installations is keyed by App and account: an installation of another App on the same
 *   account is another row, never a replacement of ours.
 * - predictive_insight_organizations: the organization an insight about a person was computed for
 *   (from the work in its repositories only); a person in two organizations has an insight in each.
 */
export class Migration20261201000000TruthAndTenancy extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
CREATE TABLE git_fallback_totals (
    reason VARCHAR(50) PRIMARY KEY,
    fallbacks BIGINT NOT NULL DEFAULT 0,
    last_at TIMESTAMP WITH TIME ZONE
);
ALTER TABLE github_app_installations DROP CONSTRAINT github_app_installations_pkey;
ALTER TABLE github_app_installations ADD PRIMARY KEY (app_id, account_login);
CREATE TABLE predictive_insight_organizations (
    insight_id UUID PRIMARY KEY REFERENCES predictive_insights(id) ON DELETE CASCADE,
    organization_id UUID NOT NULL
);
CREATE INDEX idx_predictive_insight_organizations_organization_id ON predictive_insight_organizations(organization_id);
`);
  }

  override async down(): Promise<void> {
    this.addSql(`
DROP TABLE IF EXISTS predictive_insight_organizations;
DROP TABLE IF EXISTS git_fallback_totals;
ALTER TABLE github_app_installations DROP CONSTRAINT github_app_installations_pkey;
ALTER TABLE github_app_installations ADD PRIMARY KEY (account_login);
`);
  }
}
