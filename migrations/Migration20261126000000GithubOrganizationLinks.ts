import { Migration } from '@mikro-orm/migrations';

/**
 * github_organization_links: which Aexy organization a GitHub account (organization or user) belongs
 * to. Webhooks name GitHub accounts, not ours: an installation or repository event of a linked account
 * tracks (or stops tracking) repositories for that organization. Written by `aexy github link` and by
 * github.sync-teams (which is given both). Logins are stored lower-case: GitHub matches them whatever
 * their case.
 */
export class Migration20261126000000GithubOrganizationLinks extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
CREATE TABLE github_organization_links (
    github_login VARCHAR(255) PRIMARY KEY CHECK (github_login = lower(github_login)),
    organization_id UUID NOT NULL,
    linked_at TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT NOW()
);
CREATE INDEX idx_tracked_repositories_organization_id ON tracked_repositories(organization_id);
`);
  }

  override async down(): Promise<void> {
    this.addSql('DROP INDEX IF EXISTS idx_tracked_repositories_organization_id;');
    this.addSql('DROP TABLE IF EXISTS github_organization_links;');
  }
}
