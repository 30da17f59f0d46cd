import { Migration } from '@mikro-orm/migrations';

/**
 * github_pull_repositories: the full "owner/name" of each pull request, which the contract's
 * pull_requests (short repository_name only) cannot tell apart across owners. Backfilled from the
 * tracked repositories where the short name is unambiguous.
 */
export class Migration20261125030000PullRepositories extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
CREATE TABLE github_pull_repositories (
    github_id BIGINT PRIMARY KEY,
    repository_full_name VARCHAR(255) NOT NULL
);
CREATE INDEX idx_github_pull_repositories_repository ON github_pull_repositories(repository_full_name);
INSERT INTO github_pull_repositories (github_id, repository_full_name)
SELECT p.github_id, t.full_name
  FROM pull_requests p
  JOIN tracked_repositories t ON split_part(t.full_name, '/', 2) = p.repository_name
 WHERE (SELECT count(*) FROM tracked_repositories u WHERE split_part(u.full_name, '/', 2) = p.repository_name) = 1;
`);
  }

  override async down(): Promise<void> {
    this.addSql('DROP TABLE IF EXISTS github_pull_repositories;');
  }
}
