import { Migration } from '@mikro-orm/migrations';

/**
 * Tables the GitHub sync needs beyond the contract (allowed extras, prefixed to stand apart):
 * - tracked_repositories: the repositories of an organization we keep in step with GitHub;
 * - github_sync_cursors: per repository and stream, the high-water mark of the last committed sync;
 * - github_http_cache: ETag + body per (token hash, URL), so unchanged pages come back as 304s,
 *   which GitHub does not count against the rate limit. The token itself is never stored.
 */
export class Migration20261125010000GithubSync extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
CREATE TABLE tracked_repositories (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    organization_id UUID,
    full_name VARCHAR(255) UNIQUE NOT NULL,
    is_active BOOLEAN NOT NULL DEFAULT TRUE,
    last_synced_at TIMESTAMP WITH TIME ZONE,
    last_error TEXT,
    created_at TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT NOW()
);

CREATE TABLE github_sync_cursors (
    repository_full_name VARCHAR(255) NOT NULL,
    stream VARCHAR(20) NOT NULL,
    cursor_at TIMESTAMP WITH TIME ZONE NOT NULL,
    updated_at TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT NOW(),
    PRIMARY KEY (repository_full_name, stream)
);

CREATE TABLE github_http_cache (
    token_hash VARCHAR(64) NOT NULL,
    url TEXT NOT NULL,
    etag TEXT NOT NULL,
    link TEXT,
    body JSONB NOT NULL,
    fetched_at TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT NOW(),
    PRIMARY KEY (token_hash, url)
);
`);
  }

  override async down(): Promise<void> {
    this.addSql('DROP TABLE IF EXISTS github_http_cache;');
    this.addSql('DROP TABLE IF EXISTS github_sync_cursors;');
    this.addSql('DROP TABLE IF EXISTS tracked_repositories;');
  }
}
