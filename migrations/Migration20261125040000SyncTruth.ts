import { Migration } from '@mikro-orm/migrations';

/**
 * What the sync needs to store exactly what git holds and to credit the right people, beyond the
 * contract's tables (which stay exact):
 * - github_commit_heads: per repository, the default-branch head whose whole history is stored, and
 *   the head a sync is on its way to (so a paused sync resumes on the same pages);
 * - commit_graph: each commit's parents (a merge has two or more), its git author and committer;
 * - commit_coauthors: `Co-authored-by:` trailers, resolved to developers where the email is known;
 * - developer_identities: email → developer, with where we learnt it and how sure we are;
 * - developer_bots: accounts that are not people (GitHub type Bot, `[bot]` logins, a configured list);
 * - developer_dirty: developers whose profile must be recomputed, written in the transaction that
 *   changed their data, so the follow-up survives pauses, retries and kill -9;
 * - github_user_syncs: which developers were enriched from their GitHub user (or are missing there).
 * And the views every person-level number reads: merge commits and bots left out.
 */
export class Migration20261125040000SyncTruth extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
CREATE TABLE github_commit_heads (
    repository_full_name VARCHAR(255) PRIMARY KEY,
    branch VARCHAR(255) NOT NULL,
    head_sha VARCHAR(40),
    target_sha VARCHAR(40),
    updated_at TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT NOW()
);

CREATE TABLE commit_graph (
    sha VARCHAR(40) PRIMARY KEY,
    parent_shas TEXT[] NOT NULL,
    is_merge BOOLEAN NOT NULL,
    author_name TEXT,
    author_email VARCHAR(320),
    committer_email VARCHAR(320),
    committer_date TIMESTAMP WITH TIME ZONE
);
CREATE INDEX idx_commit_graph_author_email ON commit_graph(author_email);

CREATE TABLE commit_coauthors (
    sha VARCHAR(40) NOT NULL,
    email VARCHAR(320) NOT NULL,
    name TEXT,
    developer_id UUID,
    PRIMARY KEY (sha, email)
);
CREATE INDEX idx_commit_coauthors_developer_id ON commit_coauthors(developer_id);
CREATE INDEX idx_commit_coauthors_email ON commit_coauthors(email);

CREATE TABLE developer_identities (
    email VARCHAR(320) NOT NULL,
    developer_id UUID NOT NULL,
    source VARCHAR(20) NOT NULL,
    confidence SMALLINT NOT NULL,
    created_at TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT NOW(),
    PRIMARY KEY (email, developer_id)
);
CREATE INDEX idx_developer_identities_developer_id ON developer_identities(developer_id);

CREATE TABLE developer_bots (
    developer_id UUID PRIMARY KEY,
    reason VARCHAR(20) NOT NULL,
    created_at TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT NOW()
);

CREATE TABLE developer_dirty (
    developer_id UUID PRIMARY KEY,
    token UUID NOT NULL,
    marked_at TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT NOW()
);

CREATE TABLE github_user_syncs (
    developer_id UUID PRIMARY KEY,
    status VARCHAR(10) NOT NULL,
    synced_at TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT NOW()
);

CREATE VIEW counted_commits AS
SELECT c.* FROM commits c
 WHERE NOT EXISTS (SELECT 1 FROM commit_graph g WHERE g.sha = c.sha AND g.is_merge)
   AND NOT EXISTS (SELECT 1 FROM developer_bots b WHERE b.developer_id = c.developer_id);

CREATE VIEW counted_pull_requests AS
SELECT p.* FROM pull_requests p
 WHERE NOT EXISTS (SELECT 1 FROM developer_bots b WHERE b.developer_id = p.developer_id);

CREATE VIEW counted_code_reviews AS
SELECT r.* FROM code_reviews r
 WHERE NOT EXISTS (SELECT 1 FROM developer_bots b WHERE b.developer_id = r.reviewer_id);
`);
  }

  override async down(): Promise<void> {
    this.addSql(`
DROP VIEW IF EXISTS counted_code_reviews;
DROP VIEW IF EXISTS counted_pull_requests;
DROP VIEW IF EXISTS counted_commits;
DROP TABLE IF EXISTS github_user_syncs;
DROP TABLE IF EXISTS developer_dirty;
DROP TABLE IF EXISTS developer_bots;
DROP TABLE IF EXISTS developer_identities;
DROP TABLE IF EXISTS commit_coauthors;
DROP TABLE IF EXISTS commit_graph;
DROP TABLE IF EXISTS github_commit_heads;
`);
  }
}
