import { Migration } from '@mikro-orm/migrations';

/**
 * Jira Cloud per organization (src/jira/): jira_sites holds a site's URL, the account's email, its API
 * token encrypted like the Slack tokens (ENCRYPTION_KEYS), the story points field, an optional JQL
 * narrowing what is read, and the sync's cursor and last error. issues.organization_id: the
 * organization a Jira issue belongs to (a GitHub issue's is its repository's).
 */
export class Migration20261207050000Jira extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
CREATE TABLE jira_sites (
    organization_id UUID PRIMARY KEY,
    base_url VARCHAR(255) NOT NULL,
    email VARCHAR(320) NOT NULL,
    api_token TEXT NOT NULL,
    story_points_field VARCHAR(100),
    jql TEXT,
    cursor_at TIMESTAMP WITH TIME ZONE,
    last_error TEXT,
    created_at TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT NOW(),
    updated_at TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT NOW()
);
ALTER TABLE issues ADD COLUMN organization_id UUID;
CREATE INDEX idx_issues_organization ON issues (organization_id) WHERE organization_id IS NOT NULL;
`);
  }

  override async down(): Promise<void> {
    this.addSql('DROP INDEX IF EXISTS idx_issues_organization; ALTER TABLE issues DROP COLUMN IF EXISTS organization_id; DROP TABLE IF EXISTS jira_sites;');
  }
}
